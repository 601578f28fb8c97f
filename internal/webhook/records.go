package webhook

import (
	"context"
	"slices"

	"github.com/partnersandbox/sandbox/internal/store"
)

// SetEndpoint checks and stores a tenant's webhook (see Endpoint.check), and starts the
// deliverer.
func (d *Deliverer) SetEndpoint(ctx context.Context, tenant string, e Endpoint) (Endpoint, error) {
	e, err := e.check(ctx, d.opts.AllowPrivate)
	if err != nil {
		return e, err
	}
	err = d.opts.Store.Update(ctx, d.partition(tenant), func(tx store.Tx) error {
		d.kinds.endpoint.Put(tx, endpointID, &e)
		return nil
	})
	if err == nil {
		d.Start()
	}
	return e, err
}

// Endpoint returns the tenant's webhook, if any.
func (d *Deliverer) Endpoint(ctx context.Context, tenant string) (*Endpoint, error) {
	var out *Endpoint
	err := d.opts.Store.View(ctx, d.partition(tenant), func(tx store.Reader) error {
		out, _ = d.kinds.endpoint.Get(tx, endpointID)
		return nil
	})
	return out, err
}

// DeleteEndpoint removes the tenant's webhook; pending deliveries then fail.
func (d *Deliverer) DeleteEndpoint(ctx context.Context, tenant string) error {
	return d.opts.Store.Update(ctx, d.partition(tenant), func(tx store.Tx) error {
		d.kinds.endpoint.Delete(tx, endpointID)
		return nil
	})
}

// Log is a tenant's delivery log: its last deliveries, newest first, and how many events
// its full queue dropped.
type Log struct {
	Deliveries []*Delivery
	Dropped    int64
}

// Log returns the tenant's delivery log.
func (d *Deliverer) Log(ctx context.Context, tenant string) (Log, error) {
	var out Log
	err := d.opts.Store.View(ctx, d.partition(tenant), func(tx store.Reader) error {
		out = Log{}
		d.kinds.delivery.Scan(tx, func(_ string, v *Delivery) bool {
			out.Deliveries = append(out.Deliveries, v)
			return true
		})
		if q, ok := d.kinds.queue.Get(tx, queueID); ok {
			out.Dropped = q.Dropped
		}
		return nil
	})
	slices.Reverse(out.Deliveries)
	return out, err
}
