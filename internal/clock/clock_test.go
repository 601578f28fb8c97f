package clock

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	var c Clock
	if d := time.Since(c.Now()); d < -time.Second || d > time.Second {
		t.Fatalf("zero clock is %v from real time", d)
	}
	c.Advance(72 * time.Hour)
	if d := c.Now().Sub(time.Now()); d < 72*time.Hour-time.Second || d > 72*time.Hour+time.Second {
		t.Fatalf("advanced clock is %v ahead", d)
	}
	target := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	c.Set(target)
	if d := c.Now().Sub(target); d < 0 || d > time.Second {
		t.Fatalf("set clock is %v from target", d)
	}
	c.Reset()
	if c.Offset() != 0 {
		t.Fatal("reset kept an offset")
	}
}
