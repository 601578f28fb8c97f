// Package clock is the sandbox clock: real time plus offsets that the admin API moves, so
// partners can make OTPs expire, shipments arrive and rate-limit windows pass without
// waiting. There is one shared offset, and a tenant that moves its clock alone gets an
// offset of its own on top of it, so two CI jobs on two tenants never move each other's time.
package clock

import (
	"context"
	"maps"
	"sync"
	"sync/atomic"
	"time"
)

// Offsets are a clock's state: how far the shared clock is ahead of real time, and each
// tenant's own offset on top of it (nanoseconds).
type Offsets struct {
	Shared int64            `json:"shared"`
	Own    map[string]int64 `json:"own,omitempty"`
}

// Shared keeps the offsets where every replica of the sandbox reads them (Redis). Change
// applies change atomically and returns the offsets as they now are; change may run more
// than once, so it must only compute.
type Shared interface {
	Change(ctx context.Context, change func(Offsets) Offsets) (Offsets, error)
}

// Clock tells each tenant's sandbox time. The zero value is real time for everyone, kept
// in this process.
//
// A tenant's time is real time + the shared offset + the tenant's own offset (0 unless it
// moved its clock alone). Moving the shared clock forward moves every tenant; setting or
// resetting it puts every tenant at the same time again.
//
// Reading is two atomic loads. With Shared set, moves are made there and Install brings
// in the moves of other replicas.
type Clock struct {
	Shared Shared
	// Timeout bounds a move through Shared (default 5s).
	Timeout time.Duration

	shared atomic.Int64                     // nanoseconds ahead of real time
	own    atomic.Pointer[map[string]int64] // tenant → its own offset on top of shared; copy-on-write
	mu     sync.Mutex                       // serialises moves
}

// Now returns the tenant's sandbox time ("" is the shared clock).
func (c *Clock) Now(tenant string) time.Time {
	return time.Now().Add(c.Offset(tenant))
}

// Offset says how far the tenant's clock is from real time.
func (c *Clock) Offset(tenant string) time.Duration {
	off := c.shared.Load()
	if own := c.own.Load(); own != nil && tenant != "" {
		off += (*own)[tenant]
	}
	return time.Duration(off)
}

// Own says whether the tenant has moved its clock alone.
func (c *Clock) Own(tenant string) bool {
	own := c.own.Load()
	if own == nil {
		return false
	}
	_, ok := (*own)[tenant]
	return ok
}

// Offsets returns the clock's state.
func (c *Clock) Offsets() Offsets {
	o := Offsets{Shared: c.shared.Load()}
	if own := c.own.Load(); own != nil {
		o.Own = *own
	}
	return o
}

// Install makes o the clock's state (a move another replica made).
func (c *Clock) Install(o Offsets) {
	c.shared.Store(o.Shared)
	if len(o.Own) == 0 {
		c.own.Store(nil)
	} else {
		c.own.Store(&o.Own)
	}
}

// Advance moves the tenant's clock forward by d (d must not be negative); tenant "" moves
// every tenant's clock.
func (c *Clock) Advance(tenant string, d time.Duration) error {
	return c.move(func(o Offsets) Offsets {
		if tenant == "" {
			o.Shared += int64(d)
			return o
		}
		return o.with(tenant, o.Own[tenant]+int64(d))
	})
}

// Set puts the tenant's clock at t; tenant "" puts every tenant's clock at t.
func (c *Clock) Set(tenant string, t time.Time) error {
	return c.move(func(o Offsets) Offsets {
		if tenant == "" {
			return Offsets{Shared: int64(time.Until(t))}
		}
		return o.with(tenant, int64(time.Until(t))-o.Shared)
	})
}

// Reset puts the tenant's clock back at real time; tenant "" puts every tenant there.
func (c *Clock) Reset(tenant string) error {
	return c.move(func(o Offsets) Offsets {
		if tenant == "" {
			return Offsets{}
		}
		return o.with(tenant, -o.Shared)
	})
}

// Forget drops the tenant's own offset: it follows the shared clock again (a tenant reset).
func (c *Clock) Forget(tenant string) error {
	if c.Shared == nil && !c.Own(tenant) {
		return nil
	}
	return c.move(func(o Offsets) Offsets {
		if _, ok := o.Own[tenant]; !ok {
			return o
		}
		o.Own = maps.Clone(o.Own)
		delete(o.Own, tenant)
		return o
	})
}

// with returns o with the tenant's own offset set to off (o itself is never changed).
func (o Offsets) with(tenant string, off int64) Offsets {
	own := make(map[string]int64, len(o.Own)+1)
	maps.Copy(own, o.Own)
	own[tenant] = off
	o.Own = own
	return o
}

// move applies change here, or through Shared and installs the result.
func (c *Clock) move(change func(Offsets) Offsets) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Shared == nil {
		c.Install(change(c.Offsets()))
		return nil
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	o, err := c.Shared.Change(ctx, change)
	if err != nil {
		return err
	}
	c.Install(o)
	return nil
}
