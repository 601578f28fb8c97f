package tenants

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/partnersandbox/sandbox/internal/store"
)

var ctx = context.Background()

func newRegistry(opt Options) (*Registry, *store.Memory) {
	st := store.NewMemory(nil)
	return New(st, opt), st
}

func TestCreateRotateDelete(t *testing.T) {
	r, _ := newRegistry(Options{})
	a, err := r.Create(ctx, "A")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Create(ctx, "A"); !errors.Is(err, ErrExists) {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := r.Create(ctx, "a b"); !errors.Is(err, ErrInvalidName) {
		t.Errorf("bad name: %v", err)
	}
	rec, _ := r.Lookup(ctx, "A")
	if rec == nil || rec.DCMS.Password != a.DCMS.Password || rec.AdminTokenHash == a.AdminToken || strings.Contains(rec.AdminTokenHash, a.AdminToken) {
		t.Fatalf("record %+v", rec)
	}
	b, err := r.Rotate(ctx, "A")
	if err != nil || b.DCMS.Password == a.DCMS.Password || b.AdminToken == a.AdminToken {
		t.Fatalf("rotate: %+v %v", b, err)
	}
	if rec, _ := r.Lookup(ctx, "A"); rec.DMT.ClientSecret != b.DMT.ClientSecret {
		t.Error("the cache kept the record of before the rotation")
	}
	if _, ok, _ := r.TenantForAdminToken(ctx, a.AdminToken); ok {
		t.Error("old admin token")
	}
	if name, ok, _ := r.TenantForAdminToken(ctx, b.AdminToken); !ok || name != "A" {
		t.Error("new admin token")
	}
	if err := r.Delete(ctx, "A"); err != nil {
		t.Fatal(err)
	}
	if rec, _ := r.Lookup(ctx, "A"); rec != nil {
		t.Error("deleted tenant still looked up")
	}
	if _, ok, _ := r.TenantForAdminToken(ctx, b.AdminToken); ok {
		t.Error("deleted tenant's admin token")
	}
	if err := r.Delete(ctx, "A"); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
}

// A flood of names costs the cache bounded memory.
func TestCacheIsBounded(t *testing.T) {
	r, _ := newRegistry(Options{})
	for i := range 3 * maxCached {
		_, _ = r.Lookup(ctx, fmt.Sprintf("T%d", i))
	}
	if n := len(r.cache.entries); n > maxCached {
		t.Fatalf("%d cached", n)
	}
}

func TestAdmitAndSweep(t *testing.T) {
	r, st := newRegistry(Options{MaxTenants: 2, IdleTTL: time.Hour})
	if _, err := r.Create(ctx, "D"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := r.Admit(ctx, "T1", false); !ok {
		t.Fatal("T1 within the limit")
	}
	ok, why := r.Admit(ctx, "T2", false)
	if ok || !strings.Contains(why, "--max-tenants") {
		t.Fatalf("T2 past the limit: %v %q", ok, why)
	}
	if ok, why := r.Admit(ctx, "T3", true); ok || why != "" {
		t.Fatalf("a refused call past the limit: %v %q", ok, why)
	}
	if _, err := r.Create(ctx, "E"); !errors.Is(err, ErrLimit) {
		t.Fatalf("declaring past the limit: %v", err)
	}
	_ = st.Update(ctx, store.Partition{API: "dcms", Tenant: "T1"}, func(tx store.Tx) error { tx.Put("k", "1", "v"); return nil })
	dropped, err := r.Sweep(ctx, time.Now().Add(2*time.Hour))
	if err != nil || strings.Join(dropped, ",") != "T1" {
		t.Fatalf("sweep dropped %v, %v (want T1 only: D is declared)", dropped, err)
	}
	if names, _ := st.Tenants(ctx, "dcms"); len(names) != 0 {
		t.Errorf("T1's state after the sweep: %v", names)
	}
	if ok, _ := r.Admit(ctx, "T2", false); !ok {
		t.Error("a slot freed by the sweep")
	}
}

func TestHostedAdmitsDeclaredOnly(t *testing.T) {
	r, _ := newRegistry(Options{Hosted: true})
	if _, err := r.Create(ctx, "D"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := r.Admit(ctx, "D", false); !ok {
		t.Error("declared")
	}
	if ok, _ := r.Admit(ctx, "U", true); ok {
		t.Error("undeclared")
	}
}

func TestFromYAML(t *testing.T) {
	const good = `
- tenant: P
  adminToken: tok
  dcms: {username: u, password: p, setPinKey: MDEyMzQ1Njc4OWFiY2RlZg==}
  dmt: {clientSecret: s, passKey: k, key: MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=}
  profile: {appId: a, appSecret: as}
`
	ts, err := FromYAML(node(t, good))
	if err != nil || len(ts) != 1 || ts[0].Tenant != "P" || len(ts[0].DMT.Key) != 32 || ts[0].Profile.AppSecret != "as" {
		t.Fatalf("%+v %v", ts, err)
	}
	for bad, want := range map[string]string{
		strings.Replace(good, "password: p", "pasword: p", 1):  "pasword",
		strings.Replace(good, "password: p, ", "", 1):          "dcms.password is required",
		strings.Replace(good, "tenant: P", "tenant: 'a b'", 1): "1 to 64",
		strings.Replace(good, "key: MDEy", "key: x%%MDEy", 1):  "dmt.key",
		good + strings.TrimPrefix(good, "\n"):                  "declared twice",
	} {
		if _, err := FromYAML(node(t, bad)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want an error saying %q, got %v", want, err)
		}
	}
}

func node(t *testing.T, s string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil {
		t.Fatal(err)
	}
	return n.Content[0]
}
