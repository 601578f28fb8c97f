// Package clock is the sandbox clock: real time plus an offset that the admin API moves,
// so partners can make OTPs expire, shipments arrive and rate-limit windows pass without
// waiting.
package clock

import (
	"sync/atomic"
	"time"
)

// Clock tells the sandbox time. The zero value is real time.
type Clock struct {
	offset atomic.Int64 // nanoseconds ahead of real time
}

// Now returns the sandbox time.
func (c *Clock) Now() time.Time {
	return time.Now().Add(time.Duration(c.offset.Load()))
}

// Offset says how far the sandbox clock is from real time.
func (c *Clock) Offset() time.Duration { return time.Duration(c.offset.Load()) }

// Advance moves the clock forward by d (d must not be negative).
func (c *Clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) { c.offset.Store(int64(time.Until(t))) }

// Reset goes back to real time.
func (c *Clock) Reset() { c.offset.Store(0) }
