package journal

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

var ctx = context.Background()

func list(t *testing.T, j *Journal, f Filter) []Entry {
	t.Helper()
	got, err := j.List(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestRingIsBoundedAndNewestFirst(t *testing.T) {
	j := New(3)
	for i := 1; i <= 5; i++ {
		j.Add(ctx, Entry{Tenant: fmt.Sprint("t", i%2), OperationID: fmt.Sprint("op", i)})
	}
	got := list(t, j, Filter{})
	if len(got) != 3 || got[0].OperationID != "op5" || got[2].OperationID != "op3" {
		t.Fatalf("list = %+v", got)
	}
	if got := list(t, j, Filter{Tenant: "t1"}); len(got) != 2 || got[0].OperationID != "op5" {
		t.Fatalf("tenant filter = %+v", got)
	}
	if got := list(t, j, Filter{Limit: 1}); len(got) != 1 {
		t.Fatalf("limit = %d entries", len(got))
	}
	if n, _ := j.Clear(ctx); n != 3 {
		t.Fatalf("cleared %d", n)
	}
	if len(list(t, j, Filter{})) != 0 {
		t.Fatal("entries after clear")
	}
	j.Add(ctx, Entry{OperationID: "after"})
	if got := list(t, j, Filter{}); len(got) != 1 || got[0].OperationID != "after" {
		t.Fatalf("after clear = %+v", got)
	}
}

func TestBodiesAreMaskedAndCopied(t *testing.T) {
	j := New(2)
	req := []byte(`{"pin":"secretblock","kitNo":"1"}`)
	resp := []byte(`{"pan":"6080401234566857"}`)
	j.Add(ctx, Entry{Request: req, Response: resp})
	copy(req, "XXXXXXXXXXXXXXXXXXXXXXXX")
	e := list(t, j, Filter{})[0]
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
	j.Add(ctx, Entry{Request: []byte("12345"), Response: []byte("123")})
	j.Add(ctx, Entry{Request: []byte("1234567890")})
	if n, b := j.Size(); n != 2 || b != 18 {
		t.Fatalf("two entries: %d entries, %d bytes (want 2, 18)", n, b)
	}
	// The third entry drops the first: its 8 bytes go, 1 comes.
	j.Add(ctx, Entry{Response: []byte("x")})
	if n, b := j.Size(); n != 2 || b != 11 {
		t.Fatalf("after the ring wrapped: %d entries, %d bytes (want 2, 11)", n, b)
	}
	_, _ = j.Clear(ctx)
	j.Add(ctx, Entry{Request: []byte("ab")})
	if n, b := j.Size(); n != 1 || b != 2 {
		t.Fatalf("after clear: %d entries, %d bytes (want 1, 2)", n, b)
	}
}

// Paths and queries are masked as bodies are; answers by structure too (tokens); the
// encrypted mark is kept.
func TestPathQueryAndAnswerMasked(t *testing.T) {
	j := New(2)
	j.Add(ctx, Entry{Path: "/x/6080401234566859", Query: "token=abc&ref=1732900000000", Response: []byte(`{"id_token":"eyJ.x.y"}`), Encrypted: true})
	e := list(t, j, Filter{})[0]
	if e.Path != "/x/608040XXXXXX6859" || e.Query != "token=****&ref=1732900000000" || string(e.Response) != `{"id_token":"****"}` || !e.Encrypted {
		t.Fatalf("kept %+v", e)
	}
}
