package redisstore_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/partnersandbox/sandbox/internal/journal"
	"github.com/partnersandbox/sandbox/internal/store/redisstore/redistest"
)

// The shared journal is bounded in bytes too (--journal-bytes): the oldest entries leave
// first, a single entry larger than the bound is cut to it, and Clear starts the count
// again.
func TestSharedJournalBoundedInBytes(t *testing.T) {
	srv := redistest.Start(t)
	db := open(t, srv, newPrefix())
	j := journal.NewShared(db.Journal(100).LimitBytes(1000), 100)
	body := bytes.Repeat([]byte("{"), 100)
	for i := range 50 {
		if err := j.Add(ctx, journal.Entry{API: "dcms", OperationID: fmt.Sprint("op", i), Request: body}); err != nil {
			t.Fatal(err)
		}
		if _, n := j.Size(); n > 1000 {
			t.Fatalf("after %d entries the journal holds %d bytes of bodies, past its 1000", i+1, n)
		}
	}
	got, err := j.List(ctx, journal.Filter{})
	if err != nil || len(got) != 10 || got[0].OperationID != "op49" || got[9].OperationID != "op40" {
		t.Fatalf("kept %d entries (%v), want op49 to op40", len(got), err)
	}
	if err := j.Add(ctx, journal.Entry{API: "dcms", OperationID: "big", Request: bytes.Repeat([]byte("{"), 800), Response: bytes.Repeat([]byte("}"), 800)}); err != nil {
		t.Fatal(err)
	}
	if n, size := j.Size(); n != 1 || size != 1000 {
		t.Fatalf("after an entry of 1600 bytes: %d entries, %d bytes; want 1 cut to 1000", n, size)
	}
	if _, err := j.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := j.Add(ctx, journal.Entry{API: "dcms", OperationID: fmt.Sprint("again", i), Request: body}); err != nil {
			t.Fatal(err)
		}
	}
	if n, size := j.Size(); n != 10 || size != 1000 {
		t.Fatalf("after Clear and 10 entries: %d entries, %d bytes; want 10, 1000", n, size)
	}
}
