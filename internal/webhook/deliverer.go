package webhook

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/store"
)

// Options configure a Deliverer.
type Options struct {
	Store store.Store
	API   string // the partitions (API and tenant) the webhook records live in
	Kinds Kinds
	// Tenants lists the tenants of an API (the sweeper looks at their queues).
	Tenants func(ctx context.Context, api string) ([]string, error)
	Clock   *clock.Clock // the sandbox clock, for the log's times
	Log     *slog.Logger
	// Timeout bounds one attempt: connecting, sending, and the answer.
	Timeout time.Duration
	// Workers make attempts concurrently, for different tenants.
	Workers int
	// Sweep is how often (real time) every tenant's queue is looked at, for deliveries
	// another replica left behind or whose retry is due.
	Sweep time.Duration
	// MaxPending bounds each tenant's queue; MaxLog is how many deliveries its log keeps.
	MaxPending, MaxLog int
	// AllowPrivate lets webhooks aim at loopback, private and other internal addresses.
	AllowPrivate bool
}

// Defaults of the Options' bounds.
const (
	DefaultMaxPending = 200
	DefaultMaxLog     = 1000
)

// leaseMargin is how long past its timeout an attempt keeps its lease (to record the result).
const leaseMargin = 2 * time.Second

// Deliverer delivers the queued events of every tenant. Workers take tenants in turn from
// a ring of tenants with work due (round robin) and make one attempt each time, so a
// tenant whose receiver hangs holds at most one worker for at most one Timeout, and every
// other tenant's event waits at most one attempt. It starts with Start (or the first Wake)
// and stops with Close.
type Deliverer struct {
	opts   Options
	kinds  Kinds
	client *http.Client

	ctx    context.Context
	cancel context.CancelFunc
	start  sync.Once
	wg     sync.WaitGroup

	mu      sync.Mutex
	cond    *sync.Cond
	ring    []string          // tenants with work due, in turn
	tenants map[string]*local // tenants this process knows to have work
	stopped bool

	delivered, failed atomic.Int64 // attempts, for the metrics
}

// local is what this process knows of a tenant's queue.
type local struct {
	ready, busy, again bool // in the ring; being attempted; woken while busy
	timer              *time.Timer
	at                 time.Time // when timer fires
}

// New returns a Deliverer; nothing runs until Start or Wake.
func New(o Options) *Deliverer {
	if o.MaxPending <= 0 {
		o.MaxPending = DefaultMaxPending
	}
	if o.MaxLog <= 0 {
		o.MaxLog = DefaultMaxLog
	}
	o.Workers = max(o.Workers, 1)
	ctx, cancel := context.WithCancel(context.Background())
	d := &Deliverer{opts: o, kinds: o.Kinds, client: newClient(o.Timeout, o.AllowPrivate),
		ctx: ctx, cancel: cancel, tenants: map[string]*local{}}
	d.cond = sync.NewCond(&d.mu)
	return d
}

// newClient is the HTTP client of the attempts: bounded by timeout, following no
// redirect, and unless private addresses are allowed, refusing internal ones when it
// dials (after DNS resolution) and using no proxy (a proxy would dial for it).
func newClient(timeout time.Duration, allowPrivate bool) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if !allowPrivate {
		dialer := &net.Dialer{Timeout: timeout, Control: guard}
		tr.DialContext, tr.Proxy = dialer.DialContext, nil
	}
	return &http.Client{Timeout: timeout, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Start starts the workers and the sweeper, once.
func (d *Deliverer) Start() {
	d.start.Do(func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.stopped {
			return
		}
		for range d.opts.Workers {
			d.wg.Add(1)
			go d.work()
		}
		d.wg.Add(1)
		go d.sweeper()
	})
}

// Close stops the workers and the sweeper and waits for them; pending deliveries stay
// pending in the store.
func (d *Deliverer) Close() {
	d.mu.Lock()
	d.stopped = true
	for _, l := range d.tenants {
		if l.timer != nil {
			l.timer.Stop()
		}
	}
	d.cond.Broadcast()
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
}

// Wake says a tenant may have a delivery due: it joins the ring's tail unless it is there
// already (or being attempted: it joins once that attempt is done).
func (d *Deliverer) Wake(tenant string) {
	d.Start()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return
	}
	l := d.tenants[tenant]
	if l == nil {
		l = &local{}
		d.tenants[tenant] = l
	}
	switch {
	case l.busy:
		l.again = true
	case !l.ready:
		l.ready = true
		d.ring = append(d.ring, tenant)
		d.cond.Signal()
	}
}

// work makes attempts for the tenant at the ring's head until Close.
func (d *Deliverer) work() {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		for len(d.ring) == 0 && !d.stopped {
			d.cond.Wait()
		}
		if d.stopped {
			d.mu.Unlock()
			return
		}
		tenant := d.ring[0]
		d.ring = d.ring[1:]
		l := d.tenants[tenant]
		l.ready, l.busy = false, true
		d.mu.Unlock()

		n := d.attempt(tenant)
		d.settle(tenant, l, n)
	}
}

// settle puts a tenant back after an attempt: at the ring's tail if more is due, else
// with a timer for its next due delivery; a tenant with nothing left is forgotten.
func (d *Deliverer) settle(tenant string, l *local, n next) {
	d.mu.Lock()
	defer d.mu.Unlock()
	l.busy = false
	if d.stopped {
		return
	}
	if n.more || l.again {
		l.again, l.ready = false, true
		d.ring = append(d.ring, tenant)
		d.cond.Signal()
		return
	}
	if !n.at.IsZero() && (l.timer == nil || n.at.Before(l.at)) {
		if l.timer != nil {
			l.timer.Stop()
		}
		l.at = n.at
		l.timer = time.AfterFunc(time.Until(n.at), func() {
			d.mu.Lock()
			l.timer = nil
			d.mu.Unlock()
			d.Wake(tenant)
		})
	}
	if l.timer == nil {
		delete(d.tenants, tenant)
	}
}

// sweeper wakes, every Sweep, each tenant whose queue holds deliveries: another replica
// may have queued them, or died holding their lease, or this process restarted.
func (d *Deliverer) sweeper() {
	defer d.wg.Done()
	t := time.NewTicker(d.opts.Sweep)
	defer t.Stop()
	for {
		select {
		case <-d.ctx.Done():
			return
		case <-t.C:
			tenants, _ := d.opts.Tenants(d.ctx, d.opts.API) // a failing store is tried again next tick
			for _, tenant := range tenants {
				if d.hasPending(tenant) {
					d.Wake(tenant)
				}
			}
		}
	}
}

func (d *Deliverer) hasPending(tenant string) bool {
	d.mu.Lock()
	_, known := d.tenants[tenant]
	d.mu.Unlock()
	if known {
		return false // already in the ring, being attempted or timed
	}
	pending := false
	_ = d.opts.Store.View(d.ctx, d.partition(tenant), func(tx store.Reader) error {
		q, ok := d.kinds.queue.Get(tx, queueID)
		pending = ok && len(q.Pending) > 0
		return nil
	})
	return pending
}

func (d *Deliverer) partition(tenant string) store.Partition {
	return store.Partition{API: d.opts.API, Tenant: tenant}
}

// attempt makes one attempt at the tenant's oldest due delivery and records it; it says
// what the tenant's queue holds next.
func (d *Deliverer) attempt(tenant string) next {
	lease := randomHex(8)
	dl, ep, n, err := d.take(tenant, lease)
	if err != nil || dl == nil { // nothing due, or the store failed: the sweeper looks again
		return n
	}
	// Each attempt goes to the webhook as it is now, so fixing a URL rescues pending retries.
	res := attemptResult{url: dl.URL, errText: "the tenant has no webhook any more"}
	if ep != nil {
		res = d.post(ep, dl)
	}
	if d.ctx.Err() != nil {
		return next{} // stopping: the attempt did not really happen
	}
	if res.errText == "" {
		d.delivered.Add(1)
	} else {
		d.failed.Add(1)
	}
	return d.record(tenant, lease, ep, res)
}

// take leases the tenant's oldest due delivery for one attempt and returns it with the
// tenant's webhook (nil if it has none any more); nil if none is due.
func (d *Deliverer) take(tenant, lease string) (*Delivery, *Endpoint, next, error) {
	var dl *Delivery
	var ep *Endpoint
	var n next
	k := d.kinds
	err := d.opts.Store.Update(d.ctx, d.partition(tenant), func(tx store.Tx) error {
		dl, ep, n = nil, nil, next{}
		now := time.Now()
		q := k.loadQueue(tx)
		var i int
		if i, n = q.due(now); i < 0 {
			return errNothingDue
		}
		id := q.Pending[i].ID
		v, ok := k.delivery.Get(tx, id)
		if !ok { // lost: it is no longer pending
			q.Pending = slices.Delete(q.Pending, i, i+1)
			k.queue.Put(tx, queueID, &q)
			n = next{more: len(q.Pending) > 0}
			return nil
		}
		dl = v
		q.Lease, q.LeaseOf, q.LeaseUntil = lease, id, now.Add(d.opts.Timeout+leaseMargin)
		k.queue.Put(tx, queueID, &q)
		ep, _ = k.endpoint.Get(tx, endpointID)
		return nil
	})
	if errors.Is(err, errNothingDue) {
		err = nil
	}
	return dl, ep, n, err
}

var (
	errNothingDue = errors.New("nothing due")
	errLeaseLost  = errors.New("lease lost")
)

// record writes an attempt's result to the delivery it leased and says what the queue
// holds next (nothing, if the lease ran out or the tenant was reset meanwhile).
func (d *Deliverer) record(tenant, lease string, ep *Endpoint, res attemptResult) next {
	var n next
	k := d.kinds
	_ = d.opts.Store.Update(d.ctx, d.partition(tenant), func(tx store.Tx) error {
		n = next{}
		q := k.loadQueue(tx)
		if q.Lease != lease {
			return errLeaseLost
		}
		id := q.LeaseOf
		q.Lease, q.LeaseOf, q.LeaseUntil = "", "", time.Time{}
		v, ok := k.delivery.Get(tx, id)
		i := q.find(id)
		if !ok || i < 0 {
			return errLeaseLost
		}
		dl, retryAt := d.result(tenant, *v, ep, res)
		if dl.Status == Pending {
			q.Pending[i].Next = retryAt
			k.delivery.Put(tx, id, &dl)
		} else {
			q.Pending = slices.Delete(q.Pending, i, i+1)
			if seqOf(id) <= q.Pruned { // it outlived its place in the log
				k.delivery.Delete(tx, id)
			} else {
				k.delivery.Put(tx, id, &dl)
			}
		}
		k.queue.Put(tx, queueID, &q)
		_, n = q.due(time.Now())
		return nil
	})
	return n
}

// result is a delivery after an attempt that went as res, and when to retry it if it is
// still pending.
func (d *Deliverer) result(tenant string, dl Delivery, ep *Endpoint, res attemptResult) (Delivery, time.Time) {
	dl.URL, dl.Attempts, dl.LastStatusCode, dl.LastError = res.url, dl.Attempts+1, res.code, res.errText
	dl.LastAttempt = d.opts.Clock.Now(tenant)
	retries, interval := 0, 0
	if ep != nil {
		retries, interval = ep.RetryCount, ep.RetryInterval
	}
	switch {
	case res.errText == "":
		dl.Status = Delivered
	case res.refused:
		dl.Status = Refused
	case dl.Attempts > retries:
		dl.Status = Failed
	default:
		return dl, time.Now().Add(time.Duration(interval) * time.Second << (dl.Attempts - 1))
	}
	dl.Body = nil
	return dl, time.Time{}
}

// Stats is the state of delivery in this process since it started, for the metrics.
type Stats struct {
	Waiting   int   // tenants with a delivery due, waiting for a worker
	Delivered int64 // attempts the webhook answered with 2xx
	Failed    int64 // attempts that failed (an error, another status, refused); each retry counts
}

// Stats reports delivery since start.
func (d *Deliverer) Stats() Stats {
	d.mu.Lock()
	waiting := len(d.ring)
	d.mu.Unlock()
	return Stats{Waiting: waiting, Delivered: d.delivered.Load(), Failed: d.failed.Load()}
}
