package coverage_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/coverage"
	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/scenarios"
)

func catalogue() (*scenarios.Catalogue, *scenarios.Operation) {
	cat := scenarios.NewCatalogue()
	cat.Add(scenarios.Operation{API: "dcms", ID: "viewCustomer", Outcomes: []scenarios.Outcome{
		{Name: "ok", Status: 200}, {Name: "customer-not-found", Status: 400, Code: "CUS001"},
	}})
	cat.Add(scenarios.Operation{API: "dmt", ID: "getCustomer", Outcomes: []scenarios.Outcome{{Name: "ok", Status: 200}}})
	op, _ := cat.Op("viewCustomer")
	return cat, op
}

func TestCountReportClear(t *testing.T) {
	ctx := context.Background()
	cat, op := catalogue()
	// Through the encoding wrapper: counts survive JSON, and an update that runs twice
	// counts once.
	st := &store.Encoded{Inner: store.NewMemory(nil), Kinds: map[string]store.Kinds{coverage.API: coverage.Kinds()}}
	c := coverage.New(st, cat, nil)
	t.Cleanup(func() { _ = c.Close() })

	c.Count("T", op, "ok", false)
	c.Count("T", op, "ok", false)
	c.Count("T", op, "customer-not-found", true)
	c.Count("T", op, "no-answer", false)              // not documented: not counted
	c.Count("T", op, "http-418", true)                // nor this
	c.Count(strings.Repeat("x", 65), op, "ok", false) // no such tenant name
	c.Count("OTHER", op, "ok", true)

	rep, err := c.Report(ctx, "T", "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total != 3 || rep.Covered != 2 || len(rep.Operations) != 2 {
		t.Fatalf("report: total %d covered %d operations %d", rep.Total, rep.Covered, len(rep.Operations))
	}
	if got := rep.Percent(); got < 66.6 || got > 66.7 {
		t.Fatalf("percent %v", got)
	}
	vc := rep.Operations[0]
	if vc.ID != "viewCustomer" || vc.Outcomes[0].N != 2 || vc.Outcomes[0].Forced != 0 || vc.Outcomes[1].N != 1 || vc.Outcomes[1].Forced != 1 || vc.Outcomes[1].Code != "CUS001" {
		t.Fatalf("viewCustomer: %+v %+v", vc.Outcomes[0], vc.Outcomes[1])
	}
	if rep, _ := c.Report(ctx, "T", "dmt"); rep.Total != 1 || rep.Covered != 0 {
		t.Fatalf("dmt only: %+v", rep)
	}

	n, err := c.Clear(ctx, "T")
	if err != nil || n != 2 {
		t.Fatalf("clear: %d %v", n, err)
	}
	if rep, _ := c.Report(ctx, "T", ""); rep.Covered != 0 {
		t.Fatalf("after clear: %d", rep.Covered)
	}
	if rep, _ := c.Report(ctx, "OTHER", ""); rep.Covered != 1 || rep.Operations[0].Outcomes[0].Forced != 1 {
		t.Fatalf("OTHER after clearing T: %+v", rep.Operations[0].Outcomes[0])
	}
}

func TestCountsAreSafeForConcurrentCalls(t *testing.T) {
	cat, op := catalogue()
	c := coverage.New(store.NewMemory(nil), cat, nil)
	t.Cleanup(func() { _ = c.Close() })
	done := make(chan bool)
	for range 8 {
		go func() {
			for range 100 {
				c.Count("T", op, "ok", false)
			}
			done <- true
		}()
	}
	for range 8 {
		<-done
	}
	rep, _ := c.Report(context.Background(), "T", "")
	if got := rep.Operations[0].Outcomes[0].N; got != 800 {
		t.Fatalf("800 concurrent counts made %d", got)
	}
}

// Two sandboxes over one store (replicas): what one counted reaches the other by the
// background flush, without a read on the first.
func TestCountsReachOtherReplicas(t *testing.T) {
	cat, op := catalogue()
	shared := store.NewMemory(nil)
	a, b := coverage.New(shared, cat, nil), coverage.New(shared, cat, nil)
	t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
	a.Count("T", op, "ok", false)
	deadline := time.Now().Add(20 * coverage.FlushEvery)
	for {
		rep, err := b.Report(context.Background(), "T", "")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Covered == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica b never saw a's count (flush every %v)", coverage.FlushEvery)
		}
		time.Sleep(coverage.FlushEvery / 5)
	}
}

// A reset drops the tenant's counts, those not yet written too, so no later flush brings
// them back; other tenants keep theirs.
func TestResetDropsCounts(t *testing.T) {
	cat, op := catalogue()
	st := store.NewMemory(nil)
	c := coverage.New(st, cat, nil)
	t.Cleanup(func() { _ = c.Close() })
	c.Count("T", op, "customer-not-found", false)
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.Count("T", op, "ok", false)
	c.Count("KEEP", op, "ok", false)
	if err := c.Reset(context.Background(), "T"); err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rep, _ := c.Report(context.Background(), "T", ""); rep.Covered != 0 {
		t.Fatalf("a count from before the reset survived it: %d", rep.Covered)
	}
	if rep, _ := c.Report(context.Background(), "KEEP", ""); rep.Covered != 1 {
		t.Fatalf("resetting T dropped KEEP's count")
	}
	if err := c.Reset(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if rep, _ := c.Report(context.Background(), "KEEP", ""); rep.Covered != 0 {
		t.Fatalf("a reset of every tenant kept KEEP's count")
	}
}

// failing fails every Update while down is set.
type failing struct {
	*store.Memory
	down atomic.Bool
}

func (f *failing) Update(ctx context.Context, p store.Partition, fn func(store.Tx) error) error {
	if f.down.Load() {
		return store.ErrUnavailable
	}
	return f.Memory.Update(ctx, p, fn)
}

// Counts a failed flush could not write are written by the next one.
func TestFailedFlushKeepsCounts(t *testing.T) {
	cat, op := catalogue()
	st := &failing{Memory: store.NewMemory(nil)}
	st.down.Store(true)
	c := coverage.New(st, cat, nil)
	c.Count("T", op, "ok", false)
	c.Count("T", op, "ok", true)
	if err := c.Flush(context.Background()); err == nil {
		t.Fatal("a flush into a failing store said nothing")
	}
	c.Count("T", op, "ok", false)
	st.down.Store(false)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err := c.Report(context.Background(), "T", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Operations[0].Outcomes[0].Count; got.N != 3 || got.Forced != 1 {
		t.Fatalf("after a failed flush and a good one: %+v, want 3 calls, 1 forced", got)
	}
}

// BenchmarkCount is what counting costs each partner call: a tally in memory.
func BenchmarkCount(b *testing.B) {
	cat, op := catalogue()
	c := coverage.New(store.NewMemory(nil), cat, nil)
	defer c.Close()
	c.Count("T", op, "ok", false)
	b.ReportAllocs()
	for b.Loop() {
		c.Count("T", op, "ok", false)
	}
}
