package profile

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/partnersandbox/sandbox/internal/store"
)

// Bucket is a kind of call with its own rate limit.
type Bucket string

// The rate-limit buckets of seed 004.
const (
	Creation  Bucket = "creation"
	Retrieval Bucket = "retrieval"
	Downloads Bucket = "downloads"
)

// bucketNames are the buckets in the partner's words (the 429 message).
var bucketNames = map[Bucket]string{
	Creation:  "profile creation",
	Retrieval: "profile retrieval",
	Downloads: "document downloads",
}

// DefaultLimits are seed 004's limits.
var DefaultLimits = Limits{Enabled: true, Creation: 10, Retrieval: 60, Downloads: 30}

func (l Limits) perMinute(b Bucket) int {
	switch b {
	case Creation:
		return l.Creation
	case Retrieval:
		return l.Retrieval
	default:
		return l.Downloads
	}
}

// Take counts one call against the tenant's limit for b, or refuses it with
// rate-limited and the seconds until a call leaves the window. The window slides over the
// last minute of the sandbox clock.
func (s *Service) Take(ctx context.Context, tenant string, b Bucket) error {
	return s.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		lim := limitsOf(tx)
		if !lim.Enabled {
			return nil
		}
		n := lim.perMinute(b)
		now := s.clock.Now(tenant)
		var times []time.Time
		if v, ok := kindWindow.Get(tx, string(b)); ok {
			times = v.Times
		}
		cutoff := now.Add(-time.Minute)
		times = times[sort.Search(len(times), func(i int) bool { return times[i].After(cutoff) }):]
		if len(times) >= n {
			// The call can pass once enough of the oldest calls have left the window.
			wait := times[len(times)-n].Add(time.Minute).Sub(now)
			secs := max(1, int((wait+time.Second-1)/time.Second))
			return &Error{Kind: errRateLimited, RetryAfter: secs, Message: fmt.Sprintf(
				"Rate limit exceeded for %s (%d requests per minute); retry after %d seconds", bucketNames[b], n, secs)}
		}
		// Only the newest n calls can matter, which bounds the window.
		next := make([]time.Time, 0, min(len(times)+1, n))
		next = append(next, times[max(0, len(times)+1-n):]...)
		kindWindow.Put(tx, string(b), &window{Times: append(next, now)})
		return nil
	})
}

func limitsOf(tx store.Reader) Limits {
	if v, ok := kindLimits.Get(tx, "config"); ok {
		return *v
	}
	return DefaultLimits
}

// RateLimits returns the tenant's limits.
func (s *Service) RateLimits(ctx context.Context, tenant string) (Limits, error) {
	var l Limits
	err := s.store.View(ctx, partition(tenant), func(tx store.Reader) error {
		l = limitsOf(tx)
		return nil
	})
	return l, err
}

// SetRateLimits changes the tenant's limits; the calls already counted stay counted.
func (s *Service) SetRateLimits(ctx context.Context, tenant string, l Limits) error {
	if l.Creation < 1 || l.Retrieval < 1 || l.Downloads < 1 {
		return fail(errInvalid, "every limit must be at least 1 per minute; set enabled false to disable them")
	}
	return s.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		kindLimits.Put(tx, "config", &l)
		return nil
	})
}
