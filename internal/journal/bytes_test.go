package journal

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"
)

// The journal was bounded per entry only (--journal-size 5000 of 128 KB bodies held
// 3.5 GB); LimitBytes bounds its bodies in total, the oldest entries leaving first.
func TestJournalBoundedInBytes(t *testing.T) {
	const limit = 1 << 20
	j := New(5000)
	j.LimitBytes(limit)
	body := bytes.Repeat([]byte("{"), MaxBody) // each entry: 64 KiB request + 64 KiB response
	const added = 400
	for i := 0; i < added; i++ {
		j.Add(ctx, Entry{OperationID: fmt.Sprint("op", i), Request: body, Response: body})
		if entries, n := j.Size(); n > limit || entries < 1 {
			t.Fatalf("after %d entries the journal holds %d entries of %d bytes, past the %d-byte bound", i+1, entries, n, limit)
		}
	}
	entries, n := j.Size()
	if want := limit / (2 * MaxBody); entries != want || n != want*2*MaxBody {
		t.Fatalf("full journal: %d entries, %d bytes; want %d entries", entries, n, want)
	}
	got := list(t, j, Filter{})
	if len(got) != entries || got[0].OperationID != fmt.Sprint("op", added-1) || got[len(got)-1].OperationID != fmt.Sprint("op", added-entries) {
		t.Fatalf("kept %d entries, newest %s, oldest %s: want the newest %d", len(got), got[0].OperationID, got[len(got)-1].OperationID, entries)
	}
	// Small entries fill the ring again up to its count.
	for i := 0; i < 5000; i++ {
		j.Add(ctx, Entry{OperationID: "small", Request: []byte(`{}`)})
	}
	if entries, n := j.Size(); entries != 5000 || n != 10000 {
		t.Fatalf("small entries: %d entries, %d bytes", entries, n)
	}
}

// The memory the journal holds follows the bound, not the entries' count times their size.
func TestJournalBytesBoundHoldsMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap")
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	j := New(5000)
	j.LimitBytes(8 << 20)
	body := bytes.Repeat([]byte("{"), MaxBody) // no digits or fields: cheap to mask
	for i := 0; i < 1000; i++ {                // 125 MiB of bodies without the bound
		j.Add(ctx, Entry{Request: body, Response: body})
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 24<<20 {
		t.Fatalf("1000 entries of 128 KiB under an 8 MiB bound grew the heap by %d MiB", grown>>20)
	}
	runtime.KeepAlive(j)
}

// A single entry larger than the bound is cut to it (request first), and a bound set on a
// full journal drops its oldest entries at once.
func TestJournalBytesBoundCutsAndShrinks(t *testing.T) {
	j := New(10)
	for i := 0; i < 10; i++ {
		j.Add(ctx, Entry{Request: bytes.Repeat([]byte("x"), 100)})
	}
	j.LimitBytes(250)
	if entries, n := j.Size(); entries != 2 || n != 200 {
		t.Fatalf("after LimitBytes(250): %d entries, %d bytes; want 2, 200", entries, n)
	}
	j.Add(ctx, Entry{Request: bytes.Repeat([]byte("r"), 200), Response: bytes.Repeat([]byte("s"), 200)})
	got := list(t, j, Filter{})
	if entries, n := j.Size(); entries != 1 || n != 250 || len(got[0].Request) != 200 || len(got[0].Response) != 50 {
		t.Fatalf("an entry over the bound: %d entries, %d bytes, request %d, response %d", entries, n, len(got[0].Request), len(got[0].Response))
	}
}
