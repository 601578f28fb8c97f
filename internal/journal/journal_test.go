package journal

import (
	"fmt"
	"strings"
	"testing"
)

func TestRingIsBoundedAndNewestFirst(t *testing.T) {
	j := New(3)
	for i := 1; i <= 5; i++ {
		j.Add(Entry{Tenant: fmt.Sprint("t", i%2), OperationID: fmt.Sprint("op", i)})
	}
	got := j.List(Filter{})
	if len(got) != 3 || got[0].OperationID != "op5" || got[2].OperationID != "op3" {
		t.Fatalf("list = %+v", got)
	}
	if got := j.List(Filter{Tenant: "t1"}); len(got) != 2 || got[0].OperationID != "op5" {
		t.Fatalf("tenant filter = %+v", got)
	}
	if got := j.List(Filter{Limit: 1}); len(got) != 1 {
		t.Fatalf("limit = %d entries", len(got))
	}
	if n := j.Clear(); n != 3 {
		t.Fatalf("cleared %d", n)
	}
	if len(j.List(Filter{})) != 0 {
		t.Fatal("entries after clear")
	}
	j.Add(Entry{OperationID: "after"})
	if got := j.List(Filter{}); len(got) != 1 || got[0].OperationID != "after" {
		t.Fatalf("after clear = %+v", got)
	}
}

func TestBodiesAreMaskedAndCopied(t *testing.T) {
	j := New(2)
	req := []byte(`{"pin":"secretblock","kitNo":"1"}`)
	resp := []byte(`{"pan":"6080401234566857"}`)
	j.Add(Entry{Request: req, Response: resp})
	copy(req, "XXXXXXXXXXXXXXXXXXXXXXXX")
	e := j.List(Filter{})[0]
	if strings.Contains(string(e.Request), "secretblock") || !strings.Contains(string(e.Request), `"kitNo":"1"`) {
		t.Fatalf("request kept as %s", e.Request)
	}
	if string(e.Response) != `{"pan":"608040XXXXXX6857"}` {
		t.Fatalf("response kept as %s", e.Response)
	}
}

func TestSizeCountsEntriesAndBodyBytes(t *testing.T) {
	j := New(2)
	if n, b := j.Size(); n != 0 || b != 0 {
		t.Fatalf("empty journal: %d entries, %d bytes", n, b)
	}
	j.Add(Entry{Request: []byte("12345"), Response: []byte("123")})
	j.Add(Entry{Request: []byte("1234567890")})
	if n, b := j.Size(); n != 2 || b != 18 {
		t.Fatalf("two entries: %d entries, %d bytes (want 2, 18)", n, b)
	}
	// The third entry drops the first: its 8 bytes go, 1 comes.
	j.Add(Entry{Response: []byte("x")})
	if n, b := j.Size(); n != 2 || b != 11 {
		t.Fatalf("after the ring wrapped: %d entries, %d bytes (want 2, 11)", n, b)
	}
	j.Clear()
	j.Add(Entry{Request: []byte("ab")})
	if n, b := j.Size(); n != 1 || b != 2 {
		t.Fatalf("after clear: %d entries, %d bytes (want 1, 2)", n, b)
	}
}
