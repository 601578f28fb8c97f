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

// BenchmarkBodyNothingToMask is the common case on the hot path: no secret, no card.
func BenchmarkBodyNothingToMask(b *testing.B) {
	body := []byte(`{"mobileNumber":"9876543210","externalRefNumber":"1732900000000","amount":"1000.50","name":"Aadhu Chandran","pincode":"751002","address":"Bhubaneswar","latLong":"123,234","publicIP":"123.123.123.133","paramA":"","paramB":"","paramC":""}`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Body(body)
	}
}
