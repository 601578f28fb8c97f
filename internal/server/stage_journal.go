package server

import (
	"net/http"

	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/journal"
	"github.com/partnersandbox/sandbox/scenarios"
)

// Journal records every finished partner call in the journal, on the tenant's clock.
type Journal struct {
	Journal *journal.Journal
	Clock   *clock.Clock
}

// Observe adds the call to the journal (which masks and copies the bodies).
func (j Journal) Observe(f *Finished, c *Call, r *http.Request) {
	j.Journal.Add(journal.Entry{
		Time:        j.Clock.Now(f.Tenant),
		API:         f.API,
		Tenant:      f.Tenant,
		OperationID: f.OperationID,
		Method:      f.Method,
		Path:        f.Path,
		Query:       r.URL.RawQuery,
		ContentType: r.Header.Get("Content-Type"),
		Scenario:    r.Header.Get(scenarios.Header),
		Fault:       r.Header.Get(scenarios.FaultHeader),
		Delay:       r.Header.Get(scenarios.DelayHeader),
		Rule:        f.Rule,
		DecidedBy:   f.DecidedBy,
		Status:      f.Status,
		Outcome:     f.Outcome,
		Duration:    f.Duration,
		Request:     c.Body,
		Response:    c.state.rec.body.Bytes(),
	})
}
