// Package clock is the sandbox clock: real time plus offsets that the admin API moves, so
// partners can make OTPs expire, shipments arrive and rate-limit windows pass without
// waiting. There is one shared offset, and a tenant that moves its clock alone gets an
// offset of its own on top of it, so two CI jobs on two tenants never move each other's time.
package clock

import (
	"maps"
	"sync"
	"sync/atomic"
	"time"
)

// Clock tells each tenant's sandbox time. The zero value is real time for everyone.
//
// A tenant's time is real time + the shared offset + the tenant's own offset (0 unless it
// moved its clock alone). Moving the shared clock forward moves every tenant; setting or
// resetting it puts every tenant at the same time again.
type Clock struct {
	shared atomic.Int64                     // nanoseconds ahead of real time
	own    atomic.Pointer[map[string]int64] // tenant → its own offset on top of shared; copy-on-write
	mu     sync.Mutex                       // serialises writers of own
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

// Advance moves the tenant's clock forward by d (d must not be negative); tenant "" moves
// every tenant's clock.
func (c *Clock) Advance(tenant string, d time.Duration) {
	if tenant == "" {
		c.shared.Add(int64(d))
		return
	}
	c.change(tenant, func(off int64) int64 { return off + int64(d) })
}

// Set puts the tenant's clock at t; tenant "" puts every tenant's clock at t.
func (c *Clock) Set(tenant string, t time.Time) {
	if tenant == "" {
		c.all(int64(time.Until(t)))
		return
	}
	c.change(tenant, func(int64) int64 { return int64(time.Until(t)) - c.shared.Load() })
}

// Reset puts the tenant's clock back at real time; tenant "" puts every tenant there.
func (c *Clock) Reset(tenant string) {
	if tenant == "" {
		c.all(0)
		return
	}
	c.change(tenant, func(int64) int64 { return -c.shared.Load() })
}

// Forget drops the tenant's own offset: it follows the shared clock again (a tenant reset).
func (c *Clock) Forget(tenant string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	own := c.own.Load()
	if own == nil {
		return
	}
	if _, ok := (*own)[tenant]; !ok {
		return
	}
	next := maps.Clone(*own)
	delete(next, tenant)
	c.own.Store(&next)
}

func (c *Clock) change(tenant string, f func(own int64) int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	next := map[string]int64{}
	if own := c.own.Load(); own != nil {
		next = maps.Clone(*own)
	}
	next[tenant] = f(next[tenant])
	c.own.Store(&next)
}

func (c *Clock) all(shared int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.shared.Store(shared)
	c.own.Store(nil)
}
