package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/partnersandbox/sandbox/scenarios"
)

// Steer applies what the client asked of the sandbox for this call (steering headers,
// armed rules, magic values): it answers an error outcome or a fault itself, and leaves a
// forced 200 outcome in c.Forced for the handler.
type Steer struct {
	Engine *scenarios.Engine
	// TimeoutFault is how long a "timeout" fault holds a request before dropping it
	// (default scenarios.MaxDelay); a client that gives up first frees it at once.
	TimeoutFault time.Duration
	// Stop, once closed (the sandbox is shutting down), ends every wait at once: a delay
	// goes on to the answer, a timeout fault drops the connection.
	Stop <-chan struct{}
}

// Run decides and applies the call's steering.
func (s Steer) Run(c *Call, w http.ResponseWriter, r *http.Request) (string, bool) {
	d, err := s.Engine.Decide(r.Context(), c.Op, c.Tenant, r.Header, c.Body)
	if err != nil {
		var he *scenarios.HeaderError
		var ue *scenarios.UnknownError
		switch {
		case errors.As(err, &he):
			return reject(c, w, r, c.api.Problem(UnknownScenario, err.Error(), []string{he.Header}))
		case errors.As(err, &ue):
			return reject(c, w, r, c.api.Problem(UnknownScenario, err.Error(), []string{scenarios.Header}))
		default: // the shared rules could not be read
			return reject(c, w, r, c.api.Problem(KindOf(err), err.Error(), nil))
		}
	}
	c.Rule, c.Decided = d.Rule, d.By
	if d.Delay > 0 && !sleep(r.Context(), s.Stop, d.Delay) {
		return "client-gave-up", true
	}
	forced := d.Outcome
	switch d.Fault {
	case scenarios.FaultReset:
		dropConnection(w)
		return "fault:" + d.Fault, true
	case scenarios.FaultTimeout:
		sleep(r.Context(), s.Stop, s.timeout())
		dropConnection(w)
		return "fault:" + d.Fault, true
	case scenarios.Fault500, scenarios.Fault503:
		forced, _ = scenarios.FaultOutcome(c.Op, d.Fault)
	}
	if forced == nil || forced.Name == scenarios.OK {
		// State decides. A forced ok skips rules and magic values; a refusal says so (Call.Refusal).
		c.ForcedOK = forced != nil
		c.Decided = ""
		return "", false
	}
	c.Outcome = forced.Name
	if forced.Status != http.StatusOK {
		// An error outcome needs nothing from the domain: answer it here, in the API's
		// envelope, at the status the catalogue checked against the contract.
		c.api.WriteProblem(w, r, Problem{Status: forced.Status, Code: forced.Code, Message: forced.Message})
		return c.Outcome, true
	}
	c.Forced = forced // answered by the handler, under this outcome's name
	return "", false
}

func (s Steer) timeout() time.Duration {
	if s.TimeoutFault > 0 {
		return s.TimeoutFault
	}
	return scenarios.MaxDelay
}

// sleep waits d, or less if the client gives up first (false then): a delayed request
// never holds the server after its client is gone. A closed stop ends the wait at once
// (true: the call goes on), so a shutdown never waits for a delay.
func sleep(ctx context.Context, stop <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-stop:
		return true
	case <-ctx.Done():
		return false
	}
}

// dropConnection ends the connection without an answer; a TCP connection is reset (RST)
// rather than closed, as a crashed peer or a middlebox would.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2, tests with a recorder): the best we can do is no body.
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}
