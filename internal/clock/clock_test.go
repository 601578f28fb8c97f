package clock

import (
	"testing"
	"time"
)

func near(t *testing.T, what string, got, want time.Duration) {
	t.Helper()
	if d := got - want; d < -time.Second || d > time.Second {
		t.Fatalf("%s is %v ahead of real time, want %v", what, got, want)
	}
}

func ahead(c *Clock, tenant string) time.Duration { return time.Until(c.Now(tenant)) }

func TestSharedClock(t *testing.T) {
	var c Clock
	near(t, "zero clock", ahead(&c, "A"), 0)
	c.Advance("", 72*time.Hour)
	near(t, "advanced clock", ahead(&c, "A"), 72*time.Hour)
	target := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	c.Set("", target)
	if d := c.Now("B").Sub(target); d < 0 || d > time.Second {
		t.Fatalf("set clock is %v from target", d)
	}
	c.Reset("")
	if c.Offset("A") != 0 || c.Offset("") != 0 {
		t.Fatal("reset kept an offset")
	}
}

func TestTenantClocks(t *testing.T) {
	var c Clock
	c.Advance("A", 72*time.Hour)
	near(t, "A", ahead(&c, "A"), 72*time.Hour)
	near(t, "B (untouched)", ahead(&c, "B"), 0)
	if !c.Own("A") || c.Own("B") {
		t.Fatal("Own is wrong")
	}

	// Moving every clock forward moves A's too, keeping its lead.
	c.Advance("", time.Hour)
	near(t, "A after a shared advance", ahead(&c, "A"), 73*time.Hour)
	near(t, "B after a shared advance", ahead(&c, "B"), time.Hour)

	c.Reset("A")
	near(t, "A after its reset", ahead(&c, "A"), 0)
	near(t, "B after A's reset", ahead(&c, "B"), time.Hour)

	target := time.Now().Add(240 * time.Hour)
	c.Set("B", target)
	near(t, "B after its set", ahead(&c, "B"), 240*time.Hour)

	c.Forget("B")
	near(t, "B back on the shared clock", ahead(&c, "B"), time.Hour)

	// Setting every clock puts every tenant at the same time again.
	c.Advance("A", time.Hour)
	c.Set("", time.Now().Add(5*time.Hour))
	near(t, "A after a shared set", ahead(&c, "A"), 5*time.Hour)
	if c.Own("A") {
		t.Fatal("a shared set kept A's own offset")
	}
}
