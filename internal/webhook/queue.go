package webhook

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/partnersandbox/sandbox/internal/store"
)

// Delivery statuses. Pending deliveries are in their tenant's queue; the others are final.
const (
	Pending   = "pending"
	Delivered = "delivered"
	Failed    = "failed"  // every attempt failed (error or non-2xx)
	Refused   = "refused" // the address was internal (hosted mode): never attempted again
	Dropped   = "dropped" // the queue was full when the event came: never attempted
)

// Delivery is one event on its way to the tenant's webhook (or done with), in the log.
type Delivery struct {
	ID             string    `json:"id"`
	EventID        string    `json:"eventId"`
	EventType      string    `json:"eventType"`
	URL            string    `json:"url"`
	Body           []byte    `json:"body,omitempty"` // the exact bytes signed and sent; kept while pending
	Attempts       int       `json:"attempts"`
	Status         string    `json:"status"`
	LastStatusCode int       `json:"lastStatusCode"`
	LastError      string    `json:"lastError"`
	Created        time.Time `json:"createdAt"`              // sandbox clock
	LastAttempt    time.Time `json:"lastAttemptAt,omitzero"` // sandbox clock
}

// Queue is a tenant's queue: its pending deliveries, oldest first, and the lease of the one attempt under way. The lease (real time LeaseUntil) is taken in the
// same transaction that picks the delivery, so replicas sharing a store make one attempt
// per tenant at a time and each attempt once; if the replica attempting dies, any replica
// takes over after LeaseUntil. An attempt records its result only while it still holds
// the lease.
type Queue struct {
	Seq        int64     `json:"seq"`    // the last delivery's number
	Pruned     int64     `json:"pruned"` // deliveries up to this number have left the log (or will when done)
	Pending    []Entry   `json:"pending"`
	Dropped    int64     `json:"dropped"` // events dropped for a full queue, since the tenant's last reset
	Lease      string    `json:"lease,omitempty"`
	LeaseOf    string    `json:"leaseOf,omitempty"`
	LeaseUntil time.Time `json:"leaseUntil,omitzero"`
}

// Entry is a pending delivery in its queue: its id, and when (real time: retries wait on
// the wall clock) it may be attempted.
type Entry struct {
	ID   string    `json:"id"`
	Next time.Time `json:"next,omitzero"`
}

// find returns the index of a pending delivery in the queue, or -1.
func (q *Queue) find(id string) int {
	return slices.IndexFunc(q.Pending, func(e Entry) bool { return e.ID == id })
}

// Kinds are the webhook record kinds in an API's partitions.
type Kinds struct {
	endpoint store.Kind[Endpoint] // id "config"
	delivery store.Kind[Delivery] // id: sequence number, so Scan is oldest first
	queue    store.Kind[Queue]    // id "queue"
}

// Define registers the webhook record kinds among an API's kinds.
func Define(ks store.Kinds) Kinds {
	return Kinds{
		endpoint: store.Define[Endpoint](ks, "webhook"),
		delivery: store.Define[Delivery](ks, "delivery"),
		queue:    store.Define[Queue](ks, "webhookQueue"),
	}
}

const (
	endpointID = "config"
	queueID    = "queue"
)

// seqID renders a sequence number so that ids sort in order.
func seqID(n int64) string { return fmt.Sprintf("%012d", n) }

func seqOf(id string) int64 {
	n, _ := strconv.ParseInt(id, 10, 64)
	return n
}

// loadQueue returns a copy of the tenant's queue (to change and Put). A partition written
// before queues existed gets one rebuilt from its deliveries.
func (k Kinds) loadQueue(r store.Reader) Queue {
	if q, ok := k.queue.Get(r, queueID); ok {
		out := *q
		out.Pending = slices.Clone(q.Pending)
		return out
	}
	var q Queue
	k.delivery.Scan(r, func(id string, v *Delivery) bool {
		q.Seq = max(q.Seq, seqOf(id))
		if v.Status == Pending {
			q.Pending = append(q.Pending, Entry{ID: id})
		}
		return true
	})
	return q
}

// Event is what an API hands over for delivery: its id, type and the exact body to send.
type Event struct {
	ID, Type string
	Body     []byte
}

// Enqueue adds the event that event builds to the tenant's queue inside the API's
// transaction, if the tenant has a webhook (event is called only then); now is the
// sandbox time. When the queue is full the event is not lost
// silently: the log records it as dropped, with the reason, and the queue counts it. It
// says whether the event was queued (then Wake the tenant once the transaction commits).
// Like every transaction function it has no effect outside tx.
func (d *Deliverer) Enqueue(tx store.Tx, now time.Time, event func() Event) bool {
	k := d.kinds
	ep, ok := k.endpoint.Get(tx, endpointID)
	if !ok {
		return false
	}
	ev := event()
	q := k.loadQueue(tx)
	q.Seq++
	id := seqID(q.Seq)
	dl := &Delivery{ID: "dlv_" + id, EventID: ev.ID, EventType: ev.Type, URL: ep.URL, Created: now}
	queued := len(q.Pending) < d.opts.MaxPending
	if queued {
		dl.Status, dl.Body = Pending, ev.Body
		q.Pending = append(q.Pending, Entry{ID: id})
	} else {
		dl.Status, dl.LastError = Dropped, fmt.Sprintf("queue full: %d pending", len(q.Pending))
		q.Dropped++
	}
	k.delivery.Put(tx, id, dl)
	// The log keeps the last MaxLog deliveries; a pending one leaves it when it is done.
	for ; q.Pruned < q.Seq-int64(d.opts.MaxLog); q.Pruned++ {
		if old := seqID(q.Pruned + 1); q.find(old) < 0 {
			k.delivery.Delete(tx, old)
		}
	}
	k.queue.Put(tx, queueID, &q)
	return queued
}

// attemptResult is how one attempt went.
type attemptResult struct {
	url, errText string
	code         int
	refused      bool
}

// next is what a tenant's queue holds for the workers after a look or an attempt: more
// says a delivery is due now; otherwise at, if set, is when the next one will be.
type next struct {
	more bool
	at   time.Time
}

// due returns the index of the queue's first delivery due at now, or -1 and when the
// next one comes.
func (q *Queue) due(now time.Time) (int, next) {
	if q.Lease != "" && now.Before(q.LeaseUntil) {
		return -1, next{at: q.LeaseUntil}
	}
	var n next
	for i, e := range q.Pending {
		if !now.Before(e.Next) {
			return i, next{more: true}
		}
		if n.at.IsZero() || e.Next.Before(n.at) {
			n.at = e.Next
		}
	}
	return -1, n
}
