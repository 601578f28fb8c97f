package redisstore

import "sync"

// flights lets concurrent callers share round trips that fetch "the state now": a caller
// that arrives while one is on its way waits for the next one (which started after it
// came, so it sees everything acknowledged before), and all callers waiting for the next
// one share it.
type flights struct {
	mu   sync.Mutex
	cur  *flight // on its way
	next *flight // waiting for cur to land
}

type flight struct {
	done chan struct{}
	err  error
}

func (f *flights) do(fetch func() error) error {
	f.mu.Lock()
	if f.cur == nil {
		c := &flight{done: make(chan struct{})}
		f.cur = c
		f.mu.Unlock()
		return f.fly(c, fetch)
	}
	if c := f.next; c != nil {
		f.mu.Unlock()
		<-c.done
		return c.err
	}
	c := &flight{done: make(chan struct{})}
	f.next = c
	prev := f.cur
	f.mu.Unlock()
	<-prev.done
	f.mu.Lock()
	f.cur, f.next = c, nil
	f.mu.Unlock()
	return f.fly(c, fetch)
}

func (f *flights) fly(c *flight, fetch func() error) error {
	c.err = fetch()
	close(c.done)
	f.mu.Lock()
	if f.cur == c {
		f.cur = nil
	}
	f.mu.Unlock()
	return c.err
}
