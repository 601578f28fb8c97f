package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	api "github.com/partnersandbox/sandbox/generated/sandbox"
	"github.com/partnersandbox/sandbox/internal/journal"
	"github.com/partnersandbox/sandbox/internal/mask"
	"github.com/partnersandbox/sandbox/internal/snapshot"
	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/scenarios"
	"github.com/partnersandbox/sandbox/scenarios/scenariofile"
)

func ruleOut(r scenarios.Rule) api.Rule {
	out := api.Rule{Id: r.ID, OperationId: r.OperationID, Times: r.Times, Fired: r.Fired, Remaining: r.Remaining(),
		Outcome: optional(r.Outcome), Fault: optional(r.Fault), Delay: optional(r.Delay), Tenant: optional(r.Tenant)}
	if len(r.Match) > 0 {
		m := r.Match
		out.Match = &m
	}
	return out
}

// ListRules lists every rule, or only its own to a tenant's token.
func (c *core) ListRules(ctx context.Context, _ api.ListRulesRequestObject) (api.ListRulesResponseObject, error) {
	out := api.Rules{Rules: []api.Rule{}}
	rules, err := c.Engine.Rules().List()
	if err != nil {
		return nil, err
	}
	tenant, scoped := TenantCaller(ctx)
	for _, r := range rules {
		if !scoped || r.Tenant == tenant {
			out.Rules = append(out.Rules, ruleOut(r))
		}
	}
	return api.ListRules200JSONResponse(out), nil
}

func (c *core) ArmRule(_ context.Context, req api.ArmRuleRequestObject) (api.ArmRuleResponseObject, error) {
	b := req.Body
	r := scenarios.Rule{OperationID: b.OperationId}
	if b.Outcome != nil {
		r.Outcome = *b.Outcome
	}
	if b.Fault != nil {
		r.Fault = string(*b.Fault)
	}
	if b.Delay != nil {
		r.Delay = *b.Delay
	}
	if b.Times != nil {
		r.Times = *b.Times
	}
	if b.Tenant != nil {
		r.Tenant = *b.Tenant
	}
	if b.Match != nil {
		r.Match = *b.Match
	}
	armed, err := c.Engine.Rules().Arm(r)
	if errors.Is(err, store.ErrUnavailable) {
		return nil, err
	}
	if err != nil {
		return api.ArmRule400JSONResponse{BadRequestJSONResponse: BadRequest("%v", err)}, nil
	}
	return api.ArmRule201JSONResponse(ruleOut(armed)), nil
}

// RemoveRule disarms a rule; a tenant's token only its own tenant's.
func (c *core) RemoveRule(ctx context.Context, req api.RemoveRuleRequestObject) (api.RemoveRuleResponseObject, error) {
	if tenant, scoped := TenantCaller(ctx); scoped {
		rules, err := c.Engine.Rules().List()
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(rules, func(r scenarios.Rule) bool { return r.ID == req.Id })
		if i >= 0 && rules[i].Tenant != tenant {
			return api.RemoveRule403JSONResponse{ForbiddenJSONResponse: api.ForbiddenJSONResponse(errorBody("forbidden",
				fmt.Sprintf("rule %s is not tenant %s's (%s): only the operator token may remove it", req.Id, tenant, ruleScope(rules[i]))))}, nil
		}
	}
	removed, err := c.Engine.Rules().Remove(req.Id)
	if err != nil {
		return nil, err
	}
	if !removed {
		return api.RemoveRule404JSONResponse{NotFoundJSONResponse: NotFound("no armed rule %q (GET /__sandbox/rules lists them)", req.Id)}, nil
	}
	return api.RemoveRule204Response{}, nil
}

// ruleScope says whose calls a rule steers.
func ruleScope(r scenarios.Rule) string {
	if r.Tenant == "" {
		return "it applies to every tenant"
	}
	return "it is tenant " + r.Tenant + "'s"
}

func (c *core) CountJournal(ctx context.Context, req api.CountJournalRequestObject) (api.CountJournalResponseObject, error) {
	p := req.Params
	f := journal.Filter{}
	if p.Tenant != nil {
		f.Tenant = *p.Tenant
	}
	if p.OperationId != nil {
		f.OperationID = *p.OperationId
	}
	if p.Api != nil {
		f.API = string(*p.Api)
	}
	want := map[string]string{}
	if p.Field != nil {
		for _, kv := range *p.Field {
			k, v, _ := strings.Cut(kv, "=")
			want[k] = v
		}
	}
	entries, err := c.Journal.List(ctx, f)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, e := range entries {
		if p.Status != nil && e.Status != *p.Status {
			continue
		}
		if p.Outcome != nil && e.Outcome != *p.Outcome {
			continue
		}
		if len(want) > 0 && !bodyMatches(e.Request, want) {
			continue
		}
		n++
	}
	return api.CountJournal200JSONResponse{Count: n}, nil
}

func bodyMatches(body []byte, want map[string]string) bool {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	for path, value := range want {
		got, ok := scenarios.Lookup(v, path)
		if !ok || scenarios.Scalar(got) != value {
			return false
		}
	}
	return true
}

func (c *core) ExportJournal(ctx context.Context, req api.ExportJournalRequestObject) (api.ExportJournalResponseObject, error) {
	f := journal.Filter{ClockMoves: true} // the session's clock moves replay where they happened
	var filters []string
	if req.Params.Tenant != nil {
		f.Tenant = *req.Params.Tenant
		filters = append(filters, "of tenant "+f.Tenant)
	}
	if req.Params.Api != nil {
		f.API = string(*req.Params.Api)
		filters = append(filters, "of api "+f.API)
	}
	entries, err := c.Journal.List(ctx, f)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(entries, func(e journal.Entry) bool { return !e.IsClockMove() }) {
		what := "the journal is empty"
		if len(filters) > 0 {
			what = "the journal has no calls " + strings.Join(filters, " and ")
		}
		return api.ExportJournal404JSONResponse(errorBody("not_found", "nothing to export: "+what+" (GET /__sandbox/journal lists what it has)")), nil
	}
	for i, j := 0, len(entries)-1; i < j; i, j = i+1, j-1 {
		entries[i], entries[j] = entries[j], entries[i] // oldest first
	}
	name := "recorded session"
	if req.Params.Name != nil {
		name = *req.Params.Name
	}
	data, err := c.Exporter(entries, name)
	if errors.Is(err, scenariofile.ErrNothingToExport) { // every call was left out: the message says why
		return api.ExportJournal404JSONResponse(errorBody("not_found", err.Error())), nil
	}
	if err != nil {
		return nil, err
	}
	return api.ExportJournal200ApplicationyamlResponse{Body: strings.NewReader(string(data)), ContentLength: int64(len(data))}, nil
}

func (c *core) GetSnapshot(ctx context.Context, req api.GetSnapshotRequestObject) (api.GetSnapshotResponseObject, error) {
	s, err := snapshot.Take(ctx, c.Store, req.Params.Tenant, c.APIs, c.Clock.Now(req.Params.Tenant))
	if err != nil {
		return nil, err
	}
	_, scoped := TenantCaller(ctx) // sandbox secrets are the operator's only
	out := api.Snapshot{Version: api.SnapshotVersion(s.Version), Tenant: s.Tenant, TakenAt: &s.TakenAt, Apis: map[string]map[string]map[string]*map[string]any{}}
	for a, recs := range s.APIs {
		out.Apis[a] = map[string]map[string]*map[string]any{}
		for kind, byID := range recs {
			out.Apis[a][kind] = map[string]*map[string]any{}
			for id, v := range byID {
				rec, err := asObject(v)
				if err != nil {
					return nil, fmt.Errorf("snapshot %s %s %s: %w", a, kind, id, err)
				}
				if scoped && rec != nil {
					mask.Secrets(v, *rec)
				}
				out.Apis[a][kind][id] = rec
			}
		}
	}
	return api.GetSnapshot200JSONResponse(out), nil
}

// asObject is a record as the JSON object the snapshot shows (nil for a deletion).
func asObject(v any) (*map[string]any, error) {
	if v == nil {
		return nil, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

func (c *core) PutSnapshot(ctx context.Context, req api.PutSnapshotRequestObject) (api.PutSnapshotResponseObject, error) {
	if req.Body.Tenant != req.Params.Tenant {
		return api.PutSnapshot400JSONResponse{BadRequestJSONResponse: BadRequest("tenant: the snapshot is of %q, not of %q", req.Body.Tenant, req.Params.Tenant)}, nil
	}
	apis := map[string]map[string]map[string]any{}
	for a, kinds := range req.Body.Apis {
		apis[a] = map[string]map[string]any{}
		for kind, byID := range kinds {
			apis[a][kind] = map[string]any{}
			for id, rec := range byID {
				if rec == nil {
					apis[a][kind][id] = nil
				} else {
					apis[a][kind][id] = *rec
				}
			}
		}
	}
	if _, scoped := TenantCaller(ctx); scoped {
		if err := c.keepSecrets(ctx, req.Params.Tenant, apis); err != nil {
			return nil, err
		}
	}
	recs, n, err := c.Kinds.Decode(apis)
	if err != nil {
		return api.PutSnapshot400JSONResponse{BadRequestJSONResponse: BadRequest("%v", err)}, nil
	}
	if err := snapshot.Restore(ctx, c.Store, req.Params.Tenant, recs); err != nil {
		return nil, err
	}
	return api.PutSnapshot200JSONResponse{Tenant: req.Params.Tenant, Records: n}, nil
}

// keepSecrets puts the stored secrets back into the records of a tenant's snapshot that
// show them masked (as GetSnapshot gave them to the tenant's token).
func (c *core) keepSecrets(ctx context.Context, tenant string, apis map[string]map[string]map[string]any) error {
	for a, kinds := range apis {
		for kind, byID := range kinds {
			newRecord, ok := c.Kinds[a][kind]
			if !ok {
				continue // Decode names it
			}
			for id, raw := range byID {
				rec, ok := raw.(map[string]any)
				if !ok || !slices.Contains(slices.Collect(maps.Values(rec)), any(mask.Withheld)) {
					continue
				}
				var current *map[string]any
				err := c.Store.View(ctx, store.Partition{API: a, Tenant: tenant}, func(r store.Reader) error {
					v, found := r.Get(kind, id)
					if !found {
						current = nil
						return nil
					}
					var err error
					current, err = asObject(v)
					return err
				})
				if err != nil {
					return err
				}
				if current != nil {
					mask.Unmasked(newRecord(), rec, *current)
				}
			}
		}
	}
	return nil
}
