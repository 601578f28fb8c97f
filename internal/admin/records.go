package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	api "github.com/partnersandbox/sandbox/generated/sandbox"
	"github.com/partnersandbox/sandbox/internal/store"
)

// recordError is a record the sandbox refuses, with the answer it gets (400 or 404).
type recordError struct {
	notFound bool
	msg      string
}

func (e *recordError) Error() string { return e.msg }

// AddRecords decodes every record first, then writes each API's records in one store
// transaction: a bad record writes nothing.
func (c *core) AddRecords(ctx context.Context, req api.AddRecordsRequestObject) (api.AddRecordsResponseObject, error) {
	byAPI, err := c.decodeRecords(req.Body.Records)
	if err != nil {
		if re, ok := err.(*recordError); ok && re.notFound {
			return api.AddRecords404JSONResponse{NotFoundJSONResponse: NotFound("%s", re.msg)}, nil
		}
		return api.AddRecords400JSONResponse{BadRequestJSONResponse: BadRequest("%v", err)}, nil
	}
	for _, a := range slices.Sorted(maps.Keys(byAPI)) {
		p := store.Partition{API: a, Tenant: req.Tenant}
		err := c.Store.Update(ctx, p, func(tx store.Tx) error {
			for kind, byID := range byAPI[a] {
				for id, v := range byID {
					tx.Put(kind, id, v)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return api.AddRecords200JSONResponse{Tenant: req.Tenant, Records: len(req.Body.Records)}, nil
}

// decodeRecords turns the records into the typed values their kinds store, grouped by API.
func (c *core) decodeRecords(recs []api.Record) (map[string]store.Records, error) {
	out := map[string]store.Records{}
	for i, r := range recs {
		a := string(r.Api)
		kinds, ok := c.Kinds[a]
		if !ok {
			return nil, &recordError{msg: fmt.Sprintf("records[%d].api: %q is not an API of the sandbox (%s)", i, a, strings.Join(c.APIs, ", "))}
		}
		if _, ok := kinds[r.Kind]; !ok {
			known := strings.Join(slices.Sorted(maps.Keys(kinds)), ", ")
			return nil, &recordError{notFound: true, msg: fmt.Sprintf("records[%d].kind: %s has no record kind %q (known: %s)", i, a, r.Kind, known)}
		}
		v, err := decodeStrict(kinds[r.Kind](), r.Value)
		if err != nil {
			return nil, fmt.Errorf("records[%d].value: not a %s %s: %v", i, a, r.Kind, err)
		}
		if out[a] == nil {
			out[a] = store.Records{}
		}
		if out[a][r.Kind] == nil {
			out[a][r.Kind] = map[string]any{}
		}
		out[a][r.Kind][r.Id] = v
	}
	return out, nil
}

// decodeStrict fills v from the JSON object value, refusing fields v's type does not have.
func decodeStrict(v any, value map[string]any) (any, error) {
	data, err := json.Marshal(value)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, err
	}
	return v, nil
}
