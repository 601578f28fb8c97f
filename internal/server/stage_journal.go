package server

import (
	"log/slog"
	"net/http"

	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/journal"
	"github.com/partnersandbox/sandbox/scenarios"
)

// Journal records every finished partner call in the journal, on the tenant's clock.
type Journal struct {
	Journal *journal.Journal
	Clock   *clock.Clock
	Log     *slog.Logger // where an entry that could not be recorded is told (nil: nowhere)
}

// Observe adds the call to the journal (which masks and copies the bodies): a call whose
// body the API decrypted in clear, marked as encrypted.
func (j Journal) Observe(f *Finished, c *Call, r *http.Request) {
	req, resp := c.Body, c.state.rec.body.Bytes()
	if c.Clear.Request != nil {
		req = c.Clear.Request
		if c.Clear.Answer != nil {
			resp = c.Clear.Answer
		}
	}
	err := j.Journal.Add(r.Context(), journal.Entry{
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
		Request:     req,
		Response:    resp,
		Encrypted:   c.Clear.Request != nil,
	})
	if err != nil && j.Log != nil { // the call was answered; only its journal entry is lost
		level := slog.LevelWarn
		if KindOf(err) == Unavailable {
			level = slog.LevelDebug // the store is down: every call says so already
		}
		j.Log.Log(r.Context(), level, "journal entry not recorded", "operationId", f.OperationID, "error", err)
	}
}
