package tenants

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/partnersandbox/sandbox/internal/tenant"
)

// activity is the tenants this process serves, with when each was last touched: what
// --max-tenants bounds and --tenant-idle-ttl sweeps.
type activity struct {
	max  int
	idle time.Duration

	mu   sync.RWMutex
	seen map[string]*seen
}

type seen struct {
	last     atomic.Int64 // Unix nanoseconds, real time
	declared atomic.Bool
}

// known touches name if this process serves it already.
func (a *activity) known(name string) bool {
	a.mu.RLock()
	s := a.seen[name]
	a.mu.RUnlock()
	if s == nil {
		return false
	}
	s.last.Store(time.Now().UnixNano())
	return true
}

// room says whether name is served already or one more tenant fits.
func (a *activity) room(name string) bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.seen[name] != nil || a.max <= 0 || len(a.seen) < a.max
}

// add serves name if it fits (always, if declared); it says whether it was added.
func (a *activity) add(name string, declared bool) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.seen[name]
	if s == nil {
		if !declared && a.max > 0 && len(a.seen) >= a.max {
			return false
		}
		s = &seen{}
		a.seen[name] = s
	}
	s.last.Store(time.Now().UnixNano())
	if declared {
		s.declared.Store(true)
	}
	return true
}

func (a *activity) forget(name string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.seen, name)
}

// Served says how many tenants this process serves (what --max-tenants bounds).
func (r *Registry) Served() int {
	r.act.mu.RLock()
	defer r.act.mu.RUnlock()
	return len(r.act.seen)
}

// limitError is the refusal of a tenant past --max-tenants.
func (r *Registry) limitError() error {
	return fmt.Errorf("%w: this sandbox serves at most %d tenants (--max-tenants); delete or reset a tenant, or let idle ones be dropped (--tenant-idle-ttl)",
		ErrLimit, r.act.max)
}

// Admit says whether a partner call of tenant name may be served, and if not why ("":
// the API refused the call already, and the name is not taken on as a tenant). refused
// says the API refused it (bad credentials). A tenant served already, or declared, is
// admitted; in hosted mode no other is; in local mode a new one is while fewer than
// --max-tenants are served.
func (r *Registry) Admit(ctx context.Context, name string, refused bool) (ok bool, why string) {
	switch {
	case r == nil || r.act.known(name):
		return true, ""
	case !tenant.Valid(name): // no tenant: the API refuses the call
		return !refused, ""
	}
	rec, err := r.Lookup(ctx, name)
	switch {
	case err != nil:
		return !refused, "" // the API's own refusal (or the store's) says enough
	case rec != nil:
		return r.act.add(name, true), ""
	case r.hosted && refused:
		return false, ""
	case r.hosted:
		return false, "tenant " + name + " is not a tenant of this sandbox"
	case r.act.add(name, false):
		return true, ""
	case refused:
		return false, ""
	}
	return false, r.limitError().Error()
}

// Touched serves name as if it had called (the tenants a store holds at start).
func (r *Registry) Touched(name string) { r.act.add(name, false) }

// Sweep drops the state of every undeclared tenant untouched since before now minus
// --tenant-idle-ttl, and returns their names. Declared tenants keep theirs.
func (r *Registry) Sweep(ctx context.Context, now time.Time) ([]string, error) {
	if r.act.idle <= 0 {
		return nil, nil
	}
	cut := now.Add(-r.act.idle).UnixNano()
	var idle []string
	r.act.mu.RLock()
	for name, s := range r.act.seen {
		if !s.declared.Load() && s.last.Load() < cut {
			idle = append(idle, name)
		}
	}
	r.act.mu.RUnlock()
	var dropped []string
	for _, name := range idle {
		r.act.mu.Lock()
		s := r.act.seen[name]
		stale := s != nil && !s.declared.Load() && s.last.Load() < cut
		if stale {
			delete(r.act.seen, name)
		}
		r.act.mu.Unlock()
		if !stale {
			continue
		}
		if err := r.st.Reset(ctx, name); err != nil {
			return dropped, err
		}
		dropped = append(dropped, name)
	}
	return dropped, nil
}

// SweepEvery runs Sweep every interval (a tenth of the idle TTL, at most a minute) until
// the returned stop is called; onDrop hears of each sweep that dropped tenants.
func (r *Registry) SweepEvery(onDrop func([]string, error)) (stop func()) {
	if r.act.idle <= 0 {
		return func() {}
	}
	every := min(max(r.act.idle/10, 10*time.Millisecond), time.Minute)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				if names, err := r.Sweep(context.Background(), now); len(names) > 0 || err != nil {
					onDrop(names, err)
				}
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
