package admin

import (
	"context"
	"encoding/json"
	"net/http"

	api "github.com/partnersandbox/sandbox/generated/sandbox"
	"github.com/partnersandbox/sandbox/internal/journal"
)

// journalClockMove records a move of the sandbox clock in the journal, among the partner
// calls, so that an export of the session replays it (as a clock step) where it happened.
// tenant is the tenant whose clock moved, "" for the clock every tenant shares. SetClock
// calls it once the move is made.
// A shared journal that fails loses the entry only: the move is made (as a partner call's
// entry is lost, not its answer, when the journal fails).
func (c *core) journalClockMove(ctx context.Context, tenant string, change api.ClockChange) {
	req, _ := json.Marshal(change)
	resp, _ := json.Marshal(c.clock(&tenant))
	_ = c.Journal.Add(ctx, journal.Entry{
		Time: c.Clock.Now(tenant), API: journal.ClockAPI, Tenant: tenant, OperationID: journal.ClockOperation,
		Method: http.MethodPost, Path: journal.ClockPath, ContentType: "application/json",
		Status: http.StatusOK, Outcome: "ok", Request: req, Response: resp,
	})
}
