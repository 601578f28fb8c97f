// Package snapshot exports a tenant's state as JSON and restores it exactly: for CI
// pipelines that want a known starting point, and for --persist across restarts. A
// snapshot holds only what the tenant changed over the shared fixtures (its overlay): the
// records it wrote, and null for each fixture record it deleted.
package snapshot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/partnersandbox/sandbox/internal/store"
)

// Version is the snapshot format version: 2 holds overlays (what a tenant changed over the
// shared fixtures). Version 1 files (whole states) are still read: their records restore
// over the fixtures.
const Version = 2

// Kinds says how to decode each record kind of each API.
type Kinds map[string]store.Kinds

// Snapshot is one tenant's state in every API.
type Snapshot struct {
	Version int                      `json:"version"`
	Tenant  string                   `json:"tenant"`
	TakenAt string                   `json:"takenAt,omitempty"`
	APIs    map[string]store.Records `json:"apis"`
}

// Take exports tenant's overlays in apis.
func Take(ctx context.Context, st store.Admin, tenant string, apis []string, now time.Time) (*Snapshot, error) {
	s := &Snapshot{Version: Version, Tenant: tenant, TakenAt: now.UTC().Format(time.RFC3339Nano), APIs: map[string]store.Records{}}
	for _, api := range apis {
		recs, err := st.Dump(ctx, store.Partition{API: api, Tenant: tenant})
		if err != nil {
			return nil, err
		}
		s.APIs[api] = recs
	}
	return s, nil
}

// Decode turns a snapshot's JSON (as any JSON decoder left it) into typed records, refusing
// what the sandbox does not know, before anything is written.
func (k Kinds) Decode(apis map[string]map[string]map[string]any) (map[string]store.Records, int, error) {
	out := map[string]store.Records{}
	n := 0
	for _, api := range slices.Sorted(maps.Keys(apis)) {
		kinds, ok := k[api]
		if !ok {
			return nil, 0, fmt.Errorf("apis.%s: not an API of the sandbox (dcms, dmt, profile)", api)
		}
		recs := store.Records{}
		for _, kind := range slices.Sorted(maps.Keys(apis[api])) {
			if _, ok := kinds[kind]; !ok {
				return nil, 0, fmt.Errorf("apis.%s.%s: not a record kind of %s (known: %v)", api, kind, api, slices.Sorted(maps.Keys(kinds)))
			}
			recs[kind] = map[string]any{}
			for id, raw := range apis[api][kind] {
				n++
				if raw == nil {
					recs[kind][id] = nil // a deleted fixture record
					continue
				}
				data, err := json.Marshal(raw)
				if err != nil {
					return nil, 0, fmt.Errorf("apis.%s.%s.%s: %v", api, kind, id, err)
				}
				v, err := kinds.Decode(kind, data)
				if err != nil {
					return nil, 0, fmt.Errorf("apis.%s.%s.%s: %v", api, kind, id, err)
				}
				recs[kind][id] = v
			}
		}
		out[api] = recs
	}
	return out, n, nil
}

// Restore replaces tenant's overlays with the decoded records.
func Restore(ctx context.Context, st store.Admin, tenant string, recs map[string]store.Records) error {
	for api, r := range recs {
		if err := st.Load(ctx, store.Partition{API: api, Tenant: tenant}, r); err != nil {
			return err
		}
	}
	return nil
}

// File is what --snapshot reads and --persist writes: snapshots of many tenants.
type File struct {
	Version   int         `json:"version"`
	Snapshots []*Snapshot `json:"snapshots"`
}

// generic is a snapshot as read from disk, before its records are typed.
type generic struct {
	Version int                                  `json:"version"`
	Tenant  string                               `json:"tenant"`
	APIs    map[string]map[string]map[string]any `json:"apis"`
}

// Encode is the overlay of every tenant that changed something, as a --persist file holds
// it (write it with WriteFile), and a fingerprint of the state that leaves out when it was
// taken: equal fingerprints mean nothing changed in between.
func Encode(ctx context.Context, st store.Admin, apis []string, now time.Time) (data []byte, sum [sha256.Size]byte, err error) {
	byTenant := map[string]*Snapshot{}
	for _, api := range apis {
		tenants, err := st.Tenants(ctx, api)
		if err != nil {
			return nil, sum, err
		}
		for _, t := range tenants {
			recs, err := st.Dump(ctx, store.Partition{API: api, Tenant: t})
			if err != nil {
				return nil, sum, err
			}
			if recs.Empty() {
				continue // a tenant that only read has nothing to keep
			}
			s := byTenant[t]
			if s == nil {
				s = &Snapshot{Version: Version, Tenant: t, APIs: map[string]store.Records{}}
				byTenant[t] = s
			}
			s.APIs[api] = recs
		}
	}
	f := File{Version: Version, Snapshots: []*Snapshot{}}
	for _, t := range slices.Sorted(maps.Keys(byTenant)) {
		f.Snapshots = append(f.Snapshots, byTenant[t])
	}
	state, err := json.Marshal(f)
	if err != nil {
		return nil, sum, err
	}
	sum = sha256.Sum256(state)
	for _, s := range f.Snapshots {
		s.TakenAt = now.UTC().Format(time.RFC3339Nano)
	}
	data, err = json.MarshalIndent(f, "", " ")
	return data, sum, err
}

// WriteFile replaces path with data so that a crash at any moment leaves the old file or
// the new one: a temp file in the same directory, synced, renamed over path, and the
// directory synced (so the rename itself survives a power cut).
func WriteFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	done = true
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// LoadFile restores every snapshot in path (a File, or a single Snapshot as GET
// /__sandbox/snapshot returns it). Nothing is restored if any record is refused.
func LoadFile(ctx context.Context, st store.Admin, kinds Kinds, path string) (tenants int, err error) {
	all, err := ReadFile(kinds, path)
	if err != nil {
		return 0, err
	}
	for _, t := range all {
		if err := Restore(ctx, st, t.Tenant, t.Records); err != nil {
			return 0, err
		}
	}
	return len(all), nil
}

// Tenant is one tenant's records as a snapshot file holds them, by API.
type Tenant struct {
	Tenant  string
	Records map[string]store.Records
}

// ReadFile reads and decodes a snapshot file without loading it: every tenant's records,
// or an error naming the file and what is wrong with it.
func ReadFile(kinds Kinds, path string) ([]Tenant, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f struct {
		Version   int       `json:"version"`
		Snapshots []generic `json:"snapshots"`
		generic
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %s", path, unreadable(data, err))
	}
	snaps := f.Snapshots
	if snaps == nil && f.Tenant != "" {
		snaps = []generic{f.generic}
	}
	var all []Tenant
	for i, s := range snaps {
		if s.Tenant == "" {
			return nil, fmt.Errorf("%s: snapshots[%d]: no tenant", path, i)
		}
		recs, _, err := kinds.Decode(s.APIs)
		if err != nil {
			return nil, fmt.Errorf("%s: snapshots[%d] (%s): %v", path, i, s.Tenant, err)
		}
		all = append(all, Tenant{s.Tenant, recs})
	}
	return all, nil
}

// unreadable says what is wrong with a file that is not JSON: empty, cut short (a write
// that never finished), or not JSON at some offset.
func unreadable(data []byte, err error) string {
	var syntax *json.SyntaxError
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return fmt.Sprintf("the file is empty (%d bytes): truncated, not a snapshot", len(data))
	case errors.Is(err, io.ErrUnexpectedEOF) || err.Error() == "unexpected end of JSON input":
		return fmt.Sprintf("truncated: the JSON ends after %d bytes, in the middle of a value", len(data))
	case errors.As(err, &syntax):
		return fmt.Sprintf("corrupt: not JSON at byte %d of %d: %v", syntax.Offset, len(data), err)
	default:
		return fmt.Sprintf("not a snapshot file: %v", err)
	}
}
