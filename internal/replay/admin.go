package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	api "github.com/partnersandbox/sandbox/generated/sandbox"
	"github.com/partnersandbox/sandbox/scenarios"
	"github.com/partnersandbox/sandbox/scenarios/scenariofile"
)

// adminAPI is the target's sandbox admin API, through the client generated from
// openapi/sandbox.yaml.
type adminAPI struct {
	c *api.ClientWithResponses
}

func newAdminAPI(target string, doer api.HttpRequestDoer) *adminAPI {
	c, err := api.NewClientWithResponses(target, api.WithHTTPClient(doer))
	if err != nil { // only for a target that is not a URL, which the runner's requests reject too
		c = &api.ClientWithResponses{ClientInterface: &api.Client{Server: target, Client: doer}}
	}
	return &adminAPI{c: c}
}

// reply is what every generated reply has.
type reply interface {
	StatusCode() int
	GetBody() []byte
}

// want turns an error, or a reply other than status, into an error naming the call and
// the answer. r is not used when err is set (the generated client then returns no reply).
func want(r reply, err error, status int, call string) error {
	if err != nil {
		return err
	}
	if r.StatusCode() != status {
		return fmt.Errorf("%s answered %d: %s", call, r.StatusCode(), snippet(r.GetBody()))
	}
	return nil
}

// probe says why the target has no admin API ("" : it has one); err: no answer.
func (a *adminAPI) probe(ctx context.Context) (string, error) {
	r, err := a.c.ListRulesWithResponse(ctx)
	switch {
	case err != nil:
		return err.Error(), err
	case r.StatusCode() != http.StatusOK:
		return fmt.Sprintf("GET /__sandbox/rules answered %d", r.StatusCode()), nil
	case r.JSON200 == nil || r.JSON200.Rules == nil:
		return "GET /__sandbox/rules did not answer a rule list", nil
	}
	return "", nil
}

func (a *adminAPI) reset(ctx context.Context, tenant string) error {
	r, err := a.c.ResetWithResponse(ctx, &api.ResetParams{Tenant: &tenant})
	return want(r, err, http.StatusOK, "POST /__sandbox/reset")
}

// addRecords adds a tenant's fixtures in one call: all or none.
func (a *adminAPI) addRecords(ctx context.Context, tenant string, fxs []scenariofile.Fixture) error {
	recs := make([]api.Record, len(fxs))
	for i, fx := range fxs {
		v, err := object(fx.Value)
		if err != nil {
			return fmt.Errorf("%s: value: %w", fx.Pos, err)
		}
		recs[i] = api.Record{Api: api.RecordApi(fx.API), Kind: fx.Kind, Id: fx.ID, Value: v}
	}
	r, err := a.c.AddRecordsWithResponse(ctx, tenant, api.RecordList{Records: recs})
	return want(r, err, http.StatusOK, "POST /__sandbox/tenants/"+tenant+"/records")
}

// armRule arms a rule and returns its id.
func (a *adminAPI) armRule(ctx context.Context, r scenarios.Rule) (string, error) {
	spec := api.RuleSpec{OperationId: r.OperationID, Outcome: opt(r.Outcome), Delay: opt(r.Delay), Tenant: opt(r.Tenant)}
	if r.Fault != "" {
		f := api.RuleSpecFault(r.Fault)
		spec.Fault = &f
	}
	if r.Times > 0 {
		spec.Times = &r.Times
	}
	if len(r.Match) > 0 {
		spec.Match = &r.Match
	}
	rep, err := a.c.ArmRuleWithResponse(ctx, spec)
	if err := want(rep, err, http.StatusCreated, "POST /__sandbox/rules"); err != nil {
		return "", err
	}
	if rep.JSON201 == nil {
		return "", errors.New("POST /__sandbox/rules answered no rule")
	}
	return rep.JSON201.Id, nil
}

func (a *adminAPI) removeRule(ctx context.Context, id string) error {
	r, err := a.c.RemoveRuleWithResponse(ctx, id)
	return want(r, err, http.StatusNoContent, "DELETE /__sandbox/rules/"+id)
}

// moveClock is a clock step; it returns the moved clock's time.
func (a *adminAPI) moveClock(ctx context.Context, c *scenariofile.ClockMove) (string, error) {
	var change api.ClockChange
	switch {
	case c.Advance != "":
		change.Advance = &c.Advance
	case c.Set != "":
		change.Set = &c.Set
	default:
		t := true
		change.Reset = &t
	}
	r, err := a.c.SetClockWithResponse(ctx, &api.SetClockParams{Tenant: opt(c.Tenant)}, change)
	if err := want(r, err, http.StatusOK, "POST /__sandbox/clock"); err != nil {
		return "", err
	}
	if r.JSON200 == nil {
		return "", nil
	}
	return r.JSON200.Now, nil
}

// opt is nil for "", else a pointer to s.
func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// object is a fixture's value as the JSON object the API takes (numbers kept exactly).
func object(raw json.RawMessage) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	err := dec.Decode(&m)
	return m, err
}
