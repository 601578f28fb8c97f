// Package journal keeps a bounded ring of recent partner API calls, and of the moves of the
// sandbox clock between them, for the admin API. It never grows past its capacity, and it
// only ever holds masked bodies.
package journal

import (
	"bytes"
	"sync"
	"time"

	"github.com/partnersandbox/sandbox/internal/mask"
)

// MaxBody is the most of a body an entry keeps.
const MaxBody = 64 << 10

// Entry is one call.
type Entry struct {
	ID          int64
	Time        time.Time
	API         string
	Tenant      string
	OperationID string
	Method      string
	Path        string
	Query       string // raw query string
	ContentType string // of the request
	Scenario    string // the X-Sandbox-Scenario header, if sent
	Fault       string // the X-Sandbox-Fault header, if sent
	Delay       string // the X-Sandbox-Delay header, if sent
	Rule        string // the armed rule that decided the answer, if any
	DecidedBy   string // state, or what forced the answer: header, rule, magic
	Status      int    // 0: no answer (a fault, or the client gave up)
	Outcome     string
	Duration    time.Duration
	Request     []byte // masked
	Response    []byte // masked
}

// A move of the sandbox clock is journalled as an entry of this API and operation (the admin
// API's POST /__sandbox/clock, the change as its request body), so that an export of a
// session replays the move where it happened.
const (
	ClockAPI       = "sandbox"
	ClockOperation = "setClock"
	ClockPath      = "/__sandbox/clock"
)

// IsClockMove says the entry is a move of the sandbox clock, not a partner call.
func (e *Entry) IsClockMove() bool { return e.API == ClockAPI && e.OperationID == ClockOperation }

// Filter selects entries; empty fields match everything.
type Filter struct {
	API, Tenant, OperationID string
	Limit                    int
	// ClockMoves selects, besides the matching calls, the clock moves that apply to Tenant:
	// moves of the clock every tenant shares (Tenant "") and of the tenant's own.
	ClockMoves bool
}

func (f Filter) match(e *Entry) bool {
	if f.ClockMoves && e.IsClockMove() && (e.Tenant == "" || f.Tenant == "" || e.Tenant == f.Tenant) {
		return true
	}
	return (f.API == "" || f.API == e.API) &&
		(f.Tenant == "" || f.Tenant == e.Tenant) &&
		(f.OperationID == "" || f.OperationID == e.OperationID)
}

// Journal is a fixed-size ring, safe for concurrent use.
type Journal struct {
	mu     sync.Mutex
	ring   []Entry
	bufs   [][]byte // each slot's body memory, reused when the slot is overwritten
	next   int64    // id of the next entry; also how many were ever added
	oldest int64    // id of the oldest entry still in the ring
	bytes  int      // body bytes of the entries in the ring
}

// maxKept is the largest body memory a slot keeps for reuse.
const maxKept = 8 << 10

// New returns a journal that keeps the last capacity entries (at least 1).
func New(capacity int) *Journal {
	if capacity < 1 {
		capacity = 1
	}
	return &Journal{ring: make([]Entry, capacity), bufs: make([][]byte, capacity), next: 1, oldest: 1}
}

// Capacity is how many entries the journal keeps.
func (j *Journal) Capacity() int { return len(j.ring) }

// Add masks and truncates the bodies and records the entry: card numbers anywhere, and
// secret fields (PIN blocks, OTPs, passwords) of requests. The bodies are copied (the
// caller's buffers are reused), into the memory of the entry the new one replaces when it
// is large enough, so a full journal records calls without allocating.
func (j *Journal) Add(e Entry) {
	req, resp := mask.Body(truncate(e.Request)), mask.PANs(truncate(e.Response))
	j.mu.Lock()
	defer j.mu.Unlock()
	slot := int(j.next) % len(j.ring)
	both := j.bufs[slot][:0]
	if cap(both) < len(req)+len(resp) {
		both = make([]byte, 0, len(req)+len(resp))
	}
	both = append(append(both, req...), resp...)
	if cap(both) <= maxKept {
		j.bufs[slot] = both
	} else {
		j.bufs[slot] = nil
	}
	e.Request, e.Response = both[:len(req):len(req)], both[len(req):]
	e.ID = j.next
	if old := &j.ring[slot]; old.ID >= j.oldest { // a live entry is dropped for this one
		j.bytes -= len(old.Request) + len(old.Response)
	}
	j.ring[slot] = e
	j.bytes += len(both)
	j.next++
	if j.next-j.oldest > int64(len(j.ring)) {
		j.oldest = j.next - int64(len(j.ring))
	}
}

func truncate(b []byte) []byte {
	if len(b) > MaxBody {
		return b[:MaxBody]
	}
	return b
}

// List returns matching entries, newest first, with bodies of their own (the ring's
// memory is reused).
func (j *Journal) List(f Filter) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Entry
	for id := j.next - 1; id >= j.oldest; id-- {
		e := &j.ring[int(id)%len(j.ring)]
		if f.match(e) {
			cp := *e
			cp.Request, cp.Response = bytes.Clone(e.Request), bytes.Clone(e.Response)
			out = append(out, cp)
			if f.Limit > 0 && len(out) >= f.Limit {
				break
			}
		}
	}
	return out
}

// Clear drops every entry and says how many there were.
func (j *Journal) Clear() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := int(j.next - j.oldest)
	clear(j.ring)
	clear(j.bufs)
	j.oldest = j.next
	j.bytes = 0
	return n
}

// Size is how many entries the journal holds and the bytes of their (masked) bodies.
func (j *Journal) Size() (entries, bytes int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return int(j.next - j.oldest), j.bytes
}
