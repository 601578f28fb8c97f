// Package journal keeps a bounded ring of recent partner API calls, and of the moves of the
// sandbox clock between them, for the admin API. It never grows past its capacity, and it
// only ever holds masked bodies.
package journal

import (
	"bytes"
	"context"
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
	// Encrypted says the call's body was encrypted (the DMT encrypted variant): Request and
	// Response are the call in clear (decrypted, then masked), never the ciphertext.
	Encrypted bool
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

// Match says whether the filter selects e (Limit aside).
func (f Filter) Match(e *Entry) bool {
	if f.ClockMoves && e.IsClockMove() && (e.Tenant == "" || f.Tenant == "" || e.Tenant == f.Tenant) {
		return true
	}
	return (f.API == "" || f.API == e.API) &&
		(f.Tenant == "" || f.Tenant == e.Tenant) &&
		(f.OperationID == "" || f.OperationID == e.OperationID)
}

// Shared keeps the entries where every replica of the sandbox reads them (a capped Redis
// stream): Append gives the masked entry its id and keeps the newest capacity entries;
// List returns matching entries newest first; Clear drops them all and says how many;
// Size says how many entries it holds and the bytes of their bodies.
type Shared interface {
	Append(ctx context.Context, e Entry) error
	List(ctx context.Context, f Filter) ([]Entry, error)
	Clear(ctx context.Context) (int, error)
	Size(ctx context.Context) (entries, bytes int, err error)
}

// Journal is a fixed-size ring, safe for concurrent use, or the front of a Shared one.
type Journal struct {
	shared   Shared
	capacity int
	mu       sync.Mutex
	ring     []Entry
	bufs     [][]byte // each slot's body memory, reused when the slot is overwritten
	next     int64    // id of the next entry; also how many were ever added
	oldest   int64    // id of the oldest entry still in the ring
	bytes    int      // body bytes of the entries in the ring
	maxBytes int      // bound of bytes (LimitBytes); 0: none
}

// maxKept is the largest body memory a slot keeps for reuse.
const maxKept = 8 << 10

// New returns a journal that keeps the last capacity entries (at least 1).
func New(capacity int) *Journal {
	if capacity < 1 {
		capacity = 1
	}
	return &Journal{capacity: capacity, ring: make([]Entry, capacity), bufs: make([][]byte, capacity), next: 1, oldest: 1}
}

// scratchPool holds the buffers Add masks bodies into before copying them into the ring.
var scratchPool = sync.Pool{New: func() any { return new([]byte) }}

func putScratch(b *[]byte) {
	if cap(*b) <= maxKept { // a huge body's buffer is not kept
		scratchPool.Put(b)
	}
}

// NewShared returns a journal kept in s, which holds the last capacity entries.
func NewShared(s Shared, capacity int) *Journal {
	return &Journal{shared: s, capacity: max(capacity, 1)}
}

// Capacity is how many entries the journal keeps.
func (j *Journal) Capacity() int { return j.capacity }

// Add masks (see package mask) and truncates the bodies and records the entry: secret
// fields, card numbers and OVD numbers of requests and answers, card numbers in the path,
// secret query parameters. The journal keeps no header but X-Sandbox-Scenario,
// X-Sandbox-Fault, X-Sandbox-Delay and Content-Type (no credential). The bodies are copied (the
// caller's buffers are reused), into the memory of the entry the new one replaces when it
// is large enough, so a full journal records calls without allocating. Only a Shared
// journal can fail.
func (j *Journal) Add(ctx context.Context, e Entry) error {
	// Both bodies are masked into one pooled buffer, outside the lock.
	scratch := scratchPool.Get().(*[]byte)
	defer putScratch(scratch)
	masked := mask.AppendBody((*scratch)[:0], truncate(e.Request))
	n := len(masked)
	masked = mask.AppendBody(masked, truncate(e.Response))
	*scratch = masked
	req, resp := masked[:n:n], masked[n:]
	e.Path, e.Query = mask.Path(e.Path), mask.Query(e.Query)
	if j.shared != nil {
		e.Request, e.Response = req, resp // encoded at once: the caller's buffers are not kept
		return j.shared.Append(ctx, e)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	req, resp = Fit(req, resp, j.maxBytes)
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
	j.evict()
	return nil
}

func truncate(b []byte) []byte {
	if len(b) > MaxBody {
		return b[:MaxBody]
	}
	return b
}

// List returns matching entries, newest first, with bodies of their own (the ring's
// memory is reused).
func (j *Journal) List(ctx context.Context, f Filter) ([]Entry, error) {
	if j.shared != nil {
		return j.shared.List(ctx, f)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Entry
	for id := j.next - 1; id >= j.oldest; id-- {
		e := &j.ring[int(id)%len(j.ring)]
		if f.Match(e) {
			cp := *e
			cp.Request, cp.Response = bytes.Clone(e.Request), bytes.Clone(e.Response)
			out = append(out, cp)
			if f.Limit > 0 && len(out) >= f.Limit {
				break
			}
		}
	}
	return out, nil
}

// Clear drops every entry and says how many there were.
func (j *Journal) Clear(ctx context.Context) (int, error) {
	if j.shared != nil {
		return j.shared.Clear(ctx)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	n := int(j.next - j.oldest)
	clear(j.ring)
	clear(j.bufs)
	j.oldest = j.next
	j.bytes = 0
	return n, nil
}

// Size is how many entries the journal holds and the bytes of their (masked) bodies (for
// the metrics: a Shared journal that cannot be read reports 0).
func (j *Journal) Size() (entries, bytes int) {
	if j.shared != nil {
		entries, bytes, _ = j.shared.Size(context.Background())
		return entries, bytes
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return int(j.next - j.oldest), j.bytes
}

// DefaultMaxBytes is the journal's default bound of bytes (--journal-bytes): 64 MiB.
const DefaultMaxBytes = 64 << 20

// LimitBytes bounds the bytes of the bodies the journal keeps in total to n (0 or less: no
// bound but the entries' count), besides its capacity of entries: past it the oldest
// entries leave first. A Shared journal is bounded by its own (redisstore's LimitBytes).
func (j *Journal) LimitBytes(n int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.maxBytes = max(n, 0)
	j.evict()
}

// MaxBytes is the bound of LimitBytes (0: none).
func (j *Journal) MaxBytes() int { return j.maxBytes }

// Fit cuts the bodies of one entry to a bound of bytes (0: none), the request's first, so
// that even a single entry keeps a journal within it.
func Fit(req, resp []byte, maxBytes int) ([]byte, []byte) {
	if maxBytes <= 0 || len(req)+len(resp) <= maxBytes {
		return req, resp
	}
	if len(req) >= maxBytes {
		return req[:maxBytes], nil
	}
	return req, resp[:maxBytes-len(req)]
}

// evict drops the oldest entries, and their memory, until the bodies fit the bound of
// bytes.
func (j *Journal) evict() {
	for j.maxBytes > 0 && j.bytes > j.maxBytes && j.oldest < j.next {
		slot := int(j.oldest) % len(j.ring)
		old := &j.ring[slot]
		j.bytes -= len(old.Request) + len(old.Response)
		j.ring[slot], j.bufs[slot] = Entry{}, nil
		j.oldest++
	}
}
