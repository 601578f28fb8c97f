package profile

import (
	"context"
	"sync"
	"time"

	"github.com/partnersandbox/sandbox/internal/store"
)

// reviewJob applies, every interval (real time), the automatic reviews that are due in
// every tenant, so their webhooks fire without anyone reading the profiles. It starts with
// the first webhook and stops with close.
type reviewJob struct {
	svc    *Service
	every  time.Duration
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newReviewJob(svc *Service, every time.Duration) *reviewJob {
	ctx, cancel := context.WithCancel(context.Background())
	return &reviewJob{svc: svc, every: every, ctx: ctx, cancel: cancel}
}

func (j *reviewJob) start() {
	j.once.Do(func() {
		if j.ctx.Err() != nil {
			return
		}
		j.wg.Add(1)
		go j.run()
	})
}

func (j *reviewJob) close() {
	j.once.Do(func() {}) // never start after close
	j.cancel()
	j.wg.Wait()
}

func (j *reviewJob) run() {
	defer j.wg.Done()
	t := time.NewTicker(j.every)
	defer t.Stop()
	for {
		select {
		case <-j.ctx.Done():
			return
		case <-t.C:
			tenants, _ := j.svc.tenants(j.ctx, "profile") // a failing store is tried again next tick
			for _, tenant := range tenants {
				j.svc.sweepReviews(j.ctx, tenant)
			}
		}
	}
}

// sweepReviews applies every automatic review of a tenant that is due.
func (s *Service) sweepReviews(ctx context.Context, tenant string) {
	now := s.clock.Now(tenant)
	var due []string
	_ = s.store.View(ctx, partition(tenant), func(tx store.Reader) error {
		due = due[:0]
		kindReviewDue.Scan(tx, func(id string, v *reviewDue) bool {
			if !now.Before(v.At) {
				due = append(due, id)
			}
			return true
		})
		return nil
	})
	if len(due) == 0 {
		return
	}
	_ = s.update(ctx, tenant, func(tx store.Tx, ev *events) error {
		for _, id := range due {
			if sub, err := getSubmission(tx, id); err == nil {
				s.applyDue(tx, ev, sub, now)
			} else {
				kindReviewDue.Delete(tx, id)
			}
		}
		return nil
	})
}
