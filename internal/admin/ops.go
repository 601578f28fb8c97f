package admin

import (
	"context"
	"errors"
	"strings"
	"time"

	api "github.com/partnersandbox/sandbox/generated/sandbox"
)

// Check is one readiness check: Run returns nil when that part of the sandbox can serve.
type Check struct {
	Name string
	Run  func(context.Context) error
}

// CheckTimeout bounds each readiness check: a store that does not answer is not ready.
const CheckTimeout = 2 * time.Second

// Metrics renders the sandbox's metrics in the Prometheus text format.
type Metrics interface {
	Text() string
}

func (c *core) Ready(ctx context.Context, _ api.ReadyRequestObject) (api.ReadyResponseObject, error) {
	out := api.Readiness{Status: api.Ready, Checks: []api.ReadinessCheck{}}
	var failing []string
	for _, check := range c.Checks {
		err := runCheck(ctx, check)
		result := api.ReadinessCheck{Name: check.Name, Status: api.ReadinessCheckStatusOk}
		if err != nil {
			msg := err.Error()
			result.Status, result.Error = api.ReadinessCheckStatusFailing, &msg
			failing = append(failing, check.Name+": "+msg)
		}
		out.Checks = append(out.Checks, result)
	}
	if len(failing) > 0 {
		reason := strings.Join(failing, "; ")
		out.Status, out.Reason = api.NotReady, &reason
		return api.Ready503JSONResponse(out), nil
	}
	return api.Ready200JSONResponse(out), nil
}

func runCheck(ctx context.Context, check Check) error {
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	err := check.Run(ctx)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New("no answer within " + CheckTimeout.String())
	}
	return err
}

func (c *core) GetMetrics(context.Context, api.GetMetricsRequestObject) (api.GetMetricsResponseObject, error) {
	return api.GetMetrics200TextResponse(c.Metrics.Text()), nil
}
