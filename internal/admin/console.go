package admin

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"slices"

	api "github.com/partnersandbox/sandbox/generated/sandbox"
	"github.com/partnersandbox/sandbox/internal/coverage"
	"github.com/partnersandbox/sandbox/internal/journal"
	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/scenarios/scenariofile"
)

// What the web console needs besides the rest of the admin API: coverage, the list of
// tenants, the export of chosen calls, and the root's redirect.

// ConsolePath is where the console is served; / redirects there.
const ConsolePath = "/__sandbox/console"

func (c *core) GetRoot(context.Context, api.GetRootRequestObject) (api.GetRootResponseObject, error) {
	loc := ConsolePath
	return api.GetRoot302Response{Headers: api.GetRoot302ResponseHeaders{Location: &loc}}, nil
}

func (c *core) GetCoverage(ctx context.Context, req api.GetCoverageRequestObject) (api.GetCoverageResponseObject, error) {
	if req.Params.Tenant == "" {
		return api.GetCoverage400JSONResponse{BadRequestJSONResponse: BadRequest("tenant: name the tenant whose coverage to show")}, nil
	}
	only := ""
	if req.Params.Api != nil {
		only = string(*req.Params.Api)
	}
	rep, err := c.Coverage.Report(ctx, req.Params.Tenant, only)
	if err != nil {
		return nil, err
	}
	return api.GetCoverage200JSONResponse(CoverageOut(rep)), nil
}

// CoverageOut is a coverage report as the admin API shows it.
func CoverageOut(rep coverage.Report) api.Coverage {
	out := api.Coverage{Tenant: rep.Tenant, Covered: rep.Covered, Total: rep.Total, Operations: make([]api.CoverageOperation, len(rep.Operations))}
	for i, op := range rep.Operations {
		o := api.CoverageOperation{Api: api.CoverageOperationApi(op.API), OperationId: op.ID, Outcomes: make([]api.CoverageOutcome, len(op.Outcomes))}
		for j, oc := range op.Outcomes {
			o.Outcomes[j] = api.CoverageOutcome{Name: oc.Name, Status: oc.Status, Code: oc.Code, Count: oc.N, Forced: oc.Forced}
		}
		out.Operations[i] = o
	}
	return out
}

func (c *core) ClearCoverage(ctx context.Context, req api.ClearCoverageRequestObject) (api.ClearCoverageResponseObject, error) {
	if req.Params.Tenant == "" {
		return api.ClearCoverage400JSONResponse{BadRequestJSONResponse: BadRequest("tenant: name the tenant whose coverage to clear")}, nil
	}
	n, err := c.Coverage.Clear(ctx, req.Params.Tenant)
	if err != nil {
		return nil, err
	}
	return api.ClearCoverage200JSONResponse{Tenant: req.Params.Tenant, Cleared: n}, nil
}

func (c *core) ListTenants(ctx context.Context, _ api.ListTenantsRequestObject) (api.ListTenantsResponseObject, error) {
	byName := map[string][]api.TenantInfoApis{}
	for _, a := range c.APIs {
		names, err := c.Store.Tenants(ctx, a)
		if err != nil {
			return nil, err
		}
		for _, t := range names {
			byName[t] = append(byName[t], api.TenantInfoApis(a))
		}
	}
	declared, err := c.Declared.List(ctx)
	if err != nil {
		return nil, err
	}
	isDeclared := map[string]bool{}
	for _, t := range declared {
		isDeclared[t] = true
		if byName[t] == nil {
			byName[t] = []api.TenantInfoApis{}
		}
	}
	out := api.Tenants{Tenants: []api.TenantInfo{}}
	for _, t := range slices.Sorted(maps.Keys(byName)) {
		info := api.TenantInfo{Tenant: t, Apis: byName[t]}
		if isDeclared[t] {
			yes := true
			info.Declared = &yes
		}
		out.Tenants = append(out.Tenants, info)
	}
	return api.ListTenants200JSONResponse(out), nil
}

func (c *core) ExportCalls(ctx context.Context, req api.ExportCallsRequestObject) (api.ExportCallsResponseObject, error) {
	want := make(map[int64]bool, len(req.Body.Ids))
	for _, id := range req.Body.Ids {
		want[id] = true
	}
	f := journal.Filter{}
	if tenant, scoped := TenantCaller(ctx); scoped { // a tenant's token exports its own calls only
		f = journal.Filter{Tenant: tenant, ClockMoves: true}
	}
	entries, err := c.Journal.List(ctx, f)
	if err != nil {
		return nil, err
	}
	var chosen []journal.Entry
	for _, e := range entries {
		if want[e.ID] {
			chosen = append(chosen, e)
		}
	}
	if len(chosen) == 0 {
		return api.ExportCalls404JSONResponse{NotFoundJSONResponse: NotFound("none of those calls is in the journal any more (it keeps the last %d)", c.Journal.Capacity())}, nil
	}
	slices.Reverse(chosen) // oldest first
	name := "recorded session"
	if req.Body.Name != nil && *req.Body.Name != "" {
		name = *req.Body.Name
	}
	data, err := c.Exporter(chosen, name)
	if errors.Is(err, scenariofile.ErrNothingToExport) { // every call was left out: the message says why
		return api.ExportCalls404JSONResponse{NotFoundJSONResponse: NotFound("%v", err)}, nil
	}
	if err != nil {
		return nil, err
	}
	return api.ExportCalls200ApplicationyamlResponse{Body: bytes.NewReader(data), ContentLength: int64(len(data))}, nil
}

// decidedBy is a journal entry's decidedBy.
func decidedBy(by string) *api.JournalEntryDecidedBy {
	if by == "" {
		return nil
	}
	d := api.JournalEntryDecidedBy(by)
	return &d
}

// DefaultLimit is a state page's size when the request names none.
const DefaultLimit = 50

// Page reads, in one View of partition p, a page of the records of kind k that a tenant's
// state can list (its fixtures and what the tenant wrote; never generated records), in id
// order: those after `after`, at most limit of them, each turned into its admin view by
// view. next is the id to pass as `after` for the next page (nil on the last).
func Page[T, V any](ctx context.Context, st store.Store, p store.Partition, k store.Kind[T], after *string, limit *int,
	view func(store.Reader, *T) V) (items []V, next *string, err error) {
	n := DefaultLimit
	if limit != nil {
		n = *limit
	}
	from := ""
	if after != nil {
		from = *after
	}
	err = st.View(ctx, p, func(r store.Reader) error {
		items, next = make([]V, 0, n), nil
		last := ""
		k.Scan(r, func(id string, v *T) bool {
			if from != "" && id <= from {
				return true
			}
			if len(items) == n {
				next = &last
				return false
			}
			items, last = append(items, view(r, v)), id
			return true
		})
		return nil
	})
	return items, next, err
}

// Lookup reads one record of kind k by id (generated records too) in a View of p, turned
// into its admin view; nil when there is none.
func Lookup[T, V any](ctx context.Context, st store.Store, p store.Partition, k store.Kind[T], id string, view func(store.Reader, *T) V) (*V, error) {
	var out *V
	err := st.View(ctx, p, func(r store.Reader) error {
		out = nil
		if rec, ok := k.Get(r, id); ok {
			v := view(r, rec)
			out = &v
		}
		return nil
	})
	return out, err
}
