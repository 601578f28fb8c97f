package mask

import (
	"os"
	"testing"
)

func BenchmarkBody(b *testing.B) {
	body, err := os.ReadFile("../app/testdata/seed000_view_customer.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Body(body)
	}
}
