// Package tenants holds the declared tenants: each one's name, the hash of its admin token
// and its credentials for every partner API. The records live in the state store, in one
// store.Global partition, so every replica sharing a store shares them; snapshots, which
// hold the partner APIs' partitions only, never carry them.
//
// A declared tenant is served only with its own credentials, in local and hosted mode
// alike; in hosted mode no other tenant is served at all. Secrets are random (crypto/rand)
// unless a config file gives them.
package tenants

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/internal/tenant"
)

// API is the store API of the declared tenants' partition.
const API = "tenants"

var registry = store.Partition{API: API, Tenant: store.Global}

var (
	kinds = store.Kinds{}
	// records are the declared tenants, by name.
	records = store.Define[Record](kinds, "tenant")
	// adminTokens map the SHA-256 (hex) of each admin token to its tenant.
	adminTokens = store.Define[AdminToken](kinds, "admintoken")
)

// Kinds are the record kinds of the declared tenants' partition.
func Kinds() store.Kinds { return kinds }

// Record is a declared tenant. Only the admin token's hash is kept.
type Record struct {
	Tenant         string  `json:"tenant"`
	AdminTokenHash string  `json:"adminTokenHash"`
	DCMS           DCMS    `json:"dcms"`
	DMT            DMT     `json:"dmt"`
	Profile        Profile `json:"profile"`
}

// DCMS are a tenant's DCMS credentials: the login of /v1/api/authenticate and its Set PIN
// V2 AES key (Base64 in JSON).
type DCMS struct {
	Username  string `json:"username"`
	Password  string `json:"password"`
	SetPinKey []byte `json:"setPinKey"`
}

// DMT are a tenant's DMT credentials (its client_id is the tenant's name) and its AES-256
// key (Base64 in JSON).
type DMT struct {
	ClientSecret string `json:"clientSecret"`
	PassKey      string `json:"passKey"`
	Key          []byte `json:"key"`
}

// Profile are a tenant's profile application credentials (its tenantId is the tenant's name).
type Profile struct {
	AppID     string `json:"appId"`
	AppSecret string `json:"appSecret"`
}

// AdminToken points an admin token's hash at its tenant.
type AdminToken struct {
	Tenant string `json:"tenant"`
}

// Errors of the registry's operations.
var (
	ErrInvalidName = errors.New(tenant.Rule)
	ErrExists      = errors.New("the tenant is already declared")
	ErrNotFound    = errors.New("no such declared tenant")
	ErrLimit       = errors.New("the tenant limit is reached")
)

// Registry is the declared tenants, over the store, with what bounds the tenants a
// process serves (see Admit).
type Registry struct {
	st     store.Backend
	hosted bool

	cache cache
	act   activity
}

// Options configure a Registry.
type Options struct {
	// Hosted serves declared tenants only.
	Hosted bool
	// Shared says other replicas share the store: a cached record is then asked for again
	// after CacheTTL, so a rotation or deletion on another replica is seen within it.
	Shared   bool
	CacheTTL time.Duration
	// MaxTenants bounds the tenants this process serves (declared ones included); 0: no bound.
	MaxTenants int
	// IdleTTL drops the state of an undeclared tenant untouched for so long; 0: never.
	IdleTTL time.Duration
}

// DefaultCacheTTL is how long, with a shared store, a replica trusts its copy of a record.
const DefaultCacheTTL = time.Second

// New returns the registry over st.
func New(st store.Backend, opt Options) *Registry {
	r := &Registry{st: st, hosted: opt.Hosted}
	r.cache.entries = map[string]cached{}
	if opt.Shared {
		r.cache.ttl = opt.CacheTTL
		if r.cache.ttl <= 0 {
			r.cache.ttl = DefaultCacheTTL
		}
	}
	r.act = activity{max: opt.MaxTenants, idle: opt.IdleTTL, seen: map[string]*seen{}}
	return r
}

// Hosted says only declared tenants are served (a nil registry: local mode).
func (r *Registry) Hosted() bool { return r != nil && r.hosted }

// Credentials are what an operator hands a tenant: the body of POST /__sandbox/tenants.
// AdminToken is empty where it is not shown (only its hash is kept).
type Credentials struct {
	Tenant     string
	AdminToken string
	Record
}

// Lookup returns the declared tenant name, or nil. It is the partner APIs' hot path: the
// record comes from this process's cache when it can (see Options.Shared). A nil registry
// declares nobody.
func (r *Registry) Lookup(ctx context.Context, name string) (*Record, error) {
	if r == nil || !tenant.Valid(name) {
		return nil, nil
	}
	if rec, ok := r.cache.get(name); ok {
		return rec, nil
	}
	gen := r.cache.generation()
	rec, err := r.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	r.cache.put(name, rec, gen)
	return rec, nil
}

// Get is Lookup for the admin API: the record as the store holds it now.
func (r *Registry) Get(ctx context.Context, name string) (*Record, error) {
	var rec *Record
	err := r.st.View(ctx, registry, func(rd store.Reader) error {
		rec, _ = records.Get(rd, name)
		return nil
	})
	return rec, err
}

// List returns the declared tenants' names, sorted.
func (r *Registry) List(ctx context.Context) ([]string, error) {
	var names []string
	if r == nil {
		return nil, nil
	}
	err := r.st.View(ctx, registry, func(rd store.Reader) error {
		records.Scan(rd, func(id string, _ *Record) bool {
			names = append(names, id)
			return true
		})
		return nil
	})
	slices.Sort(names)
	return names, err
}

// TenantForAdminToken returns the declared tenant whose admin token is token. The token is
// looked up by its SHA-256, so no token is ever compared byte by byte.
func (r *Registry) TenantForAdminToken(ctx context.Context, token string) (tenant string, ok bool, err error) {
	if token == "" {
		return "", false, nil
	}
	h := hash(token)
	err = r.st.View(ctx, registry, func(rd store.Reader) error {
		if t, found := adminTokens.Get(rd, h); found {
			tenant, ok = t.Tenant, true
		}
		return nil
	})
	if err != nil {
		return "", false, err
	}
	return tenant, ok, nil
}

// Create declares a new tenant with random credentials.
func (r *Registry) Create(ctx context.Context, name string) (Credentials, error) {
	if !tenant.Valid(name) {
		return Credentials{}, ErrInvalidName
	}
	if !r.act.room(name) {
		return Credentials{}, r.limitError()
	}
	c := newCredentials(name)
	err := r.update(ctx, name, func(tx store.Tx) error {
		if _, dup := records.Get(tx, name); dup {
			return ErrExists
		}
		put(tx, c)
		return nil
	})
	if err != nil {
		return Credentials{}, err
	}
	r.act.add(name, true)
	return c, nil
}

// Declare puts the credentials a config file gives, replacing a record of the same name.
func (r *Registry) Declare(ctx context.Context, c Credentials) error {
	if err := c.Check(); err != nil {
		return err
	}
	err := r.update(ctx, c.Tenant, func(tx store.Tx) error {
		if old, ok := records.Get(tx, c.Tenant); ok {
			adminTokens.Delete(tx, old.AdminTokenHash)
		}
		put(tx, c)
		return nil
	})
	if err == nil {
		r.act.add(c.Tenant, true)
	}
	return err
}

// Rotate gives a declared tenant new credentials: the old ones (and the tokens they got)
// stop working at once.
func (r *Registry) Rotate(ctx context.Context, name string) (Credentials, error) {
	c := newCredentials(name)
	err := r.update(ctx, name, func(tx store.Tx) error {
		old, ok := records.Get(tx, name)
		if !ok {
			return ErrNotFound
		}
		adminTokens.Delete(tx, old.AdminTokenHash)
		put(tx, c)
		return nil
	})
	if err != nil {
		return Credentials{}, err
	}
	return c, nil
}

// Delete forgets a declared tenant's credentials (the caller drops its state).
func (r *Registry) Delete(ctx context.Context, name string) error {
	err := r.update(ctx, name, func(tx store.Tx) error {
		old, ok := records.Get(tx, name)
		if !ok {
			return ErrNotFound
		}
		adminTokens.Delete(tx, old.AdminTokenHash)
		records.Delete(tx, name)
		return nil
	})
	if err != nil {
		return err
	}
	r.act.forget(name)
	return nil
}

// update changes the registry and forgets this process's copy of name's record (another
// replica's copy lives at most Options.CacheTTL longer).
func (r *Registry) update(ctx context.Context, name string, fn func(store.Tx) error) error {
	defer r.cache.forget(name)
	return r.st.Update(ctx, registry, fn)
}

func put(tx store.Tx, c Credentials) {
	rec := c.Record
	rec.Tenant = c.Tenant
	rec.AdminTokenHash = hash(c.AdminToken)
	records.Put(tx, c.Tenant, &rec)
	adminTokens.Put(tx, rec.AdminTokenHash, &AdminToken{Tenant: c.Tenant})
}

// Check says what is missing or wrong in credentials a config file gives.
func (c Credentials) Check() error {
	if !tenant.Valid(c.Tenant) {
		return fmt.Errorf("tenant %q: %s", c.Tenant, tenant.Rule)
	}
	for _, f := range []struct{ name, v string }{
		{"adminToken", c.AdminToken}, {"dcms.username", c.DCMS.Username}, {"dcms.password", c.DCMS.Password},
		{"dmt.clientSecret", c.DMT.ClientSecret}, {"dmt.passKey", c.DMT.PassKey},
		{"profile.appId", c.Profile.AppID}, {"profile.appSecret", c.Profile.AppSecret},
	} {
		if f.v == "" {
			return fmt.Errorf("tenant %s: %s is required", c.Tenant, f.name)
		}
	}
	if n := len(c.DCMS.SetPinKey); n != 16 && n != 24 && n != 32 {
		return fmt.Errorf("tenant %s: dcms.setPinKey must be Base64 of 16, 24 or 32 bytes", c.Tenant)
	}
	if len(c.DMT.Key) != 32 {
		return fmt.Errorf("tenant %s: dmt.key must be Base64 of 32 bytes", c.Tenant)
	}
	return nil
}

// newCredentials draws every secret of a tenant from crypto/rand.
func newCredentials(name string) Credentials {
	return Credentials{
		Tenant:     name,
		AdminToken: "sbt_" + random(32),
		Record: Record{
			DCMS:    DCMS{Username: "user_" + random(8), Password: random(24), SetPinKey: randomBytes(32)},
			DMT:     DMT{ClientSecret: random(24), PassKey: random(16), Key: randomBytes(32)},
			Profile: Profile{AppID: "app_" + random(8), AppSecret: random(24)},
		},
	}
}

// random is n random bytes, URL-safe Base64 without padding.
func random(n int) string { return base64.RawURLEncoding.EncodeToString(randomBytes(n)) }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return b
}

func hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// cache is this process's copy of records looked up on the hot path (nil: not declared).
// It holds at most maxCached names; past that it starts again, so a flood of names costs
// bounded memory.
type cache struct {
	ttl time.Duration // 0: valid until this process changes the record

	mu      sync.RWMutex
	gen     uint64 // bumped by every change, so a lookup racing one does not cache stale
	entries map[string]cached
}

type cached struct {
	rec *Record
	at  time.Time
}

const maxCached = 4096

func (c *cache) get(name string) (*Record, bool) {
	c.mu.RLock()
	e, ok := c.entries[name]
	c.mu.RUnlock()
	if !ok || c.ttl > 0 && time.Since(e.at) > c.ttl {
		return nil, false
	}
	return e.rec, true
}

func (c *cache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

func (c *cache) put(name string, rec *Record, gen uint64) {
	var at time.Time
	if c.ttl > 0 {
		at = time.Now()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.entries) >= maxCached {
		clear(c.entries)
	}
	c.entries[name] = cached{rec: rec, at: at}
}

func (c *cache) forget(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.entries, name)
}
