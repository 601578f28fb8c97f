package admin

import (
	"context"
	"encoding/base64"
	"time"

	api "github.com/partnersandbox/sandbox/generated/sandbox"
	"github.com/partnersandbox/sandbox/internal/journal"
)

// optional is nil for "", so empty journal fields are left out.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// core is the part of the admin API that belongs to no single partner API.
type core struct {
	Deps
	dcms DCMS
	dmt  DMT
}

func (c *core) Health(context.Context, api.HealthRequestObject) (api.HealthResponseObject, error) {
	return api.Health200JSONResponse{Status: api.HealthStatusOk}, nil
}

func (c *core) ListScenarios(_ context.Context, req api.ListScenariosRequestObject) (api.ListScenariosResponseObject, error) {
	out := api.Catalogue{Operations: []api.CatalogueOperation{}}
	for _, op := range c.Engine.Catalogue().Operations() {
		if req.Params.Api != nil && string(*req.Params.Api) != op.API {
			continue
		}
		if req.Params.OperationId != nil && *req.Params.OperationId != op.ID {
			continue
		}
		cop := api.CatalogueOperation{Api: api.CatalogueOperationApi(op.API), OperationId: op.ID, Method: op.Method, Path: op.Path, Outcomes: []api.CatalogueOutcome{}}
		for _, o := range op.Outcomes {
			magic := []api.MagicValue{}
			for _, m := range o.Magic {
				magic = append(magic, api.MagicValue{Field: m.Field, Value: m.Value})
			}
			cop.Outcomes = append(cop.Outcomes, api.CatalogueOutcome{Name: o.Name, Status: o.Status, Code: o.Code, Message: o.Message, Description: o.Description, Magic: magic})
		}
		out.Operations = append(out.Operations, cop)
	}
	return api.ListScenarios200JSONResponse(out), nil
}

func (c *core) Reset(ctx context.Context, req api.ResetRequestObject) (api.ResetResponseObject, error) {
	tenant := ""
	if req.Params.Tenant != nil {
		tenant = *req.Params.Tenant
	}
	if err := c.dropState(ctx, tenant); err != nil {
		return nil, err
	}
	if tenant == "" {
		tenant = "*"
	}
	return api.Reset200JSONResponse{Tenant: tenant}, nil
}

// dropState drops the tenant's state in every API, its coverage counts, its armed rules and
// its own clock; "" drops every tenant's state, coverage and rules.
func (c *core) dropState(ctx context.Context, tenant string) error {
	if err := c.Coverage.Reset(ctx, tenant); err != nil {
		return err
	}
	if err := c.Store.Reset(ctx, tenant); err != nil {
		return err
	}
	if err := c.Engine.Rules().Reset(tenant); err != nil {
		return err
	}
	if tenant != "" {
		return c.Clock.Forget(tenant)
	}
	return nil
}

func (c *core) GetJournal(ctx context.Context, req api.GetJournalRequestObject) (api.GetJournalResponseObject, error) {
	f := journal.Filter{}
	if p := req.Params.Tenant; p != nil {
		f.Tenant = *p
	}
	if p := req.Params.OperationId; p != nil {
		f.OperationID = *p
	}
	if p := req.Params.Api; p != nil {
		f.API = string(*p)
	}
	if p := req.Params.Limit; p != nil {
		f.Limit = *p
	}
	entries, err := c.Journal.List(ctx, f)
	if err != nil {
		return nil, err
	}
	out := api.Journal{Capacity: c.Journal.Capacity(), Entries: make([]api.JournalEntry, len(entries))}
	for i, e := range entries {
		out.Entries[i] = api.JournalEntry{
			Id: e.ID, Time: Time(e.Time), Api: e.API, Tenant: e.Tenant, OperationId: e.OperationID,
			Method: e.Method, Path: e.Path, Query: optional(e.Query), ContentType: optional(e.ContentType),
			Scenario: optional(e.Scenario), Fault: optional(e.Fault), Delay: optional(e.Delay), Rule: optional(e.Rule), Status: e.Status, Outcome: e.Outcome,
			DecidedBy:  decidedBy(e.DecidedBy),
			DurationMs: float32(e.Duration.Seconds() * 1000), Request: string(e.Request), Response: string(e.Response),
		}
		if e.Encrypted {
			out.Entries[i].Encrypted = &e.Encrypted
		}
	}
	return api.GetJournal200JSONResponse(out), nil
}

func (c *core) ClearJournal(ctx context.Context, _ api.ClearJournalRequestObject) (api.ClearJournalResponseObject, error) {
	n, err := c.Journal.Clear(ctx)
	if err != nil {
		return nil, err
	}
	return api.ClearJournal200JSONResponse{Cleared: n}, nil
}

func (c *core) GetClock(_ context.Context, req api.GetClockRequestObject) (api.GetClockResponseObject, error) {
	return api.GetClock200JSONResponse(c.clock(req.Params.Tenant)), nil
}

func (c *core) SetClock(ctx context.Context, req api.SetClockRequestObject) (api.SetClockResponseObject, error) {
	b := req.Body
	n := 0
	for _, set := range []bool{b.Advance != nil, b.Set != nil, b.Reset != nil && *b.Reset} {
		if set {
			n++
		}
	}
	if n != 1 {
		return api.SetClock400JSONResponse{BadRequestJSONResponse: BadRequest(`give exactly one of "advance" (a Go duration such as "72h"), "set" (an RFC 3339 time) or "reset": true`)}, nil
	}
	tenant := ""
	if req.Params.Tenant != nil {
		tenant = *req.Params.Tenant
	}
	var err error
	switch {
	case b.Advance != nil:
		d, perr := time.ParseDuration(*b.Advance)
		if perr != nil || d < 0 {
			return api.SetClock400JSONResponse{BadRequestJSONResponse: BadRequest("advance: %q is not a positive Go duration such as 90s, 15m or 72h", *b.Advance)}, nil
		}
		err = c.Clock.Advance(tenant, d)
	case b.Set != nil:
		t, perr := time.Parse(time.RFC3339, *b.Set)
		if perr != nil {
			return api.SetClock400JSONResponse{BadRequestJSONResponse: BadRequest("set: %q is not an RFC 3339 time such as 2026-01-02T15:04:05Z", *b.Set)}, nil
		}
		err = c.Clock.Set(tenant, t)
	default:
		err = c.Clock.Reset(tenant)
	}
	if err != nil {
		return nil, err
	}
	c.journalClockMove(ctx, tenant, *b)
	return api.SetClock200JSONResponse(c.clock(req.Params.Tenant)), nil
}

// clock shows a tenant's clock (nil: the shared one).
func (c *core) clock(tenant *string) api.Clock {
	t := ""
	if tenant != nil {
		t = *tenant
	}
	out := api.Clock{Now: Time(c.Clock.Now(t)), Offset: c.Clock.Offset(t).Round(time.Second).String()}
	if t != "" {
		own := c.Clock.Own(t)
		out.Tenant, out.Own = &t, &own
	}
	return out
}

func (c *core) GetTenantKeys(_ context.Context, req api.GetTenantKeysRequestObject) (api.GetTenantKeysResponseObject, error) {
	return api.GetTenantKeys200JSONResponse{
		Tenant:    req.Tenant,
		SetPinKey: base64.StdEncoding.EncodeToString(c.dcms.SetPinKey(req.Tenant)),
		DmtKey:    base64.StdEncoding.EncodeToString(c.dmt.Key(req.Tenant)),
	}, nil
}
