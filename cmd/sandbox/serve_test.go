package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/config"
)

// serveSample is a value for one serve flag and how to read it back from the configuration.
type serveSample struct {
	value string // as the command line and the environment give it (repeatable: comma-separated)
	yaml  string // as the config file gives it
	got   func(app.Config, listen) string
}

const setPinKeyB64 = "MDEyMzQ1Njc4OWFiY2RlZg=="

var serveSamples = map[string]serveSample{
	"addr":                     {"0.0.0.0:9999", `"0.0.0.0:9999"`, func(_ app.Config, l listen) string { return l.addr }},
	"log-level":                {"debug", "debug", func(_ app.Config, l listen) string { return l.level.String() }},
	"tls-cert":                 {"/etc/cert.pem", "/etc/cert.pem", func(_ app.Config, l listen) string { return l.tlsCert }},
	"tls-key":                  {"/etc/key.pem", "/etc/key.pem", func(_ app.Config, l listen) string { return l.tlsKey }},
	"seed":                     {"42", "42", func(c app.Config, _ listen) string { return fmt.Sprint(c.Fixtures.Seed) }},
	"customers":                {"3", "3", func(c app.Config, _ listen) string { return fmt.Sprint(c.Fixtures.Customers) }},
	"journal-size":             {"50", "50", func(c app.Config, _ listen) string { return fmt.Sprint(c.JournalSize) }},
	"snapshot":                 {"snap.json", "snap.json", func(c app.Config, _ listen) string { return c.SnapshotFile }},
	"scenarios":                {"scen", "scen", func(c app.Config, _ listen) string { return c.ScenariosDir }},
	"persist":                  {"state.json", "state.json", func(c app.Config, _ listen) string { return c.PersistFile }},
	"access-log":               {"true", "true", func(c app.Config, _ listen) string { return fmt.Sprint(c.AccessLog) }},
	"store":                    {"redis://10.0.0.7:6379/2", "redis://10.0.0.7:6379/2", func(c app.Config, _ listen) string { return c.Store }},
	"redis-prefix":             {"acme:", `"acme:"`, func(c app.Config, _ listen) string { return c.RedisPrefix }},
	"redis-timeout":            {"2s", "2s", func(c app.Config, _ listen) string { return c.RedisTimeout.String() }},
	"token-key":                {"k3y", "k3y", func(c app.Config, _ listen) string { return c.TokenKey }},
	"token-key-file":           {"key.txt", "key.txt", func(c app.Config, _ listen) string { return c.TokenKeyFile }},
	"hosted":                   {"true", "true", func(c app.Config, _ listen) string { return fmt.Sprint(c.Hosted) }},
	"admin-token":              {"0p3r4t0r", "0p3r4t0r", func(c app.Config, _ listen) string { return c.AdminToken }},
	"admin-token-file":         {"admin.txt", "admin.txt", func(c app.Config, _ listen) string { return c.AdminTokenFile }},
	"dcms-require-auth":        {"true", "true", func(c app.Config, _ listen) string { return fmt.Sprint(c.DCMS.RequireAuth) }},
	"dcms-require-auth-tenant": {"T1,T2", "[T1, T2]", func(c app.Config, _ listen) string { return joined(c.DCMS.AuthTenants) }},
	"dcms-set-pin-key":         {setPinKeyB64, setPinKeyB64, func(c app.Config, _ listen) string { return c.DCMS.SetPinKey }},
	"dcms-tenant-set-pin-key": {"T1=" + setPinKeyB64 + ",T2=" + setPinKeyB64, "[T1=" + setPinKeyB64 + ", T2=" + setPinKeyB64 + "]", func(c app.Config, _ listen) string {
		var out []string
		for _, t := range slices.Sorted(maps.Keys(c.DCMS.TenantSetPinKeys)) {
			out = append(out, t+"="+c.DCMS.TenantSetPinKeys[t])
		}
		return joined(out)
	}},
	"dmt-client": {"c1:s1,c2:s2", "[c1:s1, c2:s2]", func(c app.Config, _ listen) string {
		var out []string
		for _, cl := range c.DMT.Clients {
			out = append(out, cl.ID+":"+cl.Secret)
		}
		return joined(out)
	}},
	"cors-origin": {"https://a.example,https://b.example", "[https://a.example, https://b.example]", func(c app.Config, _ listen) string {
		return joined(c.Browser.CORSOrigins)
	}},
	"allowed-host": {"sandbox.lan,10.0.0.7:8080", "[sandbox.lan, 10.0.0.7:8080]", func(c app.Config, _ listen) string {
		return joined(c.Browser.AllowedHosts)
	}},
	"dmt-otp":                 {"654321", `"654321"`, func(c app.Config, _ listen) string { return c.DMT.OTP }},
	"profile-review-after":    {"2h0m0s", "2h", func(c app.Config, _ listen) string { return c.Profile.ReviewAfter.String() }},
	"profile-webhook-timeout": {"9s", "9s", func(c app.Config, _ listen) string { return c.Profile.WebhookTimeout.String() }},
	"webhook-allow-private":   {"true", "true", func(c app.Config, _ listen) string { return fmt.Sprint(c.Profile.WebhookAllowPrivate) }},

	// issue 12: shutdown, persistence and bounds.
	"drain-timeout":              {"3s", "3s", func(_ app.Config, l listen) string { return l.drain.String() }},
	"persist-every":              {"5s", "5s", func(c app.Config, _ listen) string { return c.PersistEvery.String() }},
	"journal-bytes":              {"1048576", "1048576", func(c app.Config, _ listen) string { return fmt.Sprint(c.JournalBytes) }},
	"profile-max-documents":      {"7", "7", func(c app.Config, _ listen) string { return fmt.Sprint(c.Profile.MaxDocuments) }},
	"profile-max-document-bytes": {"1000", "1000", func(c app.Config, _ listen) string { return fmt.Sprint(c.Profile.MaxDocumentBytes) }},
	"max-tenants":                {"7", "7", func(c app.Config, _ listen) string { return fmt.Sprint(c.MaxTenants) }},
	"tenant-idle-ttl":            {"1h0m0s", "1h", func(c app.Config, _ listen) string { return c.TenantIdleTTL.String() }},
	"read-header-timeout":        {"3s", "3s", func(_ app.Config, l listen) string { return l.limits.readHeader.String() }},
	"read-timeout":               {"7s", "7s", func(_ app.Config, l listen) string { return l.limits.read.String() }},
	"write-timeout":              {"5m0s", "5m", func(_ app.Config, l listen) string { return l.limits.write.String() }},
	"idle-timeout":               {"11s", "11s", func(_ app.Config, l listen) string { return l.limits.idle.String() }},
	"max-header-bytes":           {"8192", "8192", func(_ app.Config, l listen) string { return fmt.Sprint(l.limits.maxHeaderBytes) }},
	"admin-body-limit":           {"1048576", "1048576", func(c app.Config, _ listen) string { return fmt.Sprint(c.AdminBodyLimit) }},
}

// joined lists values as the samples give them; a value that kept a comma (a list not
// split) shows as a Go list, so it cannot pass for the split one.
func joined(values []string) string {
	for _, v := range values {
		if strings.Contains(v, ",") {
			return fmt.Sprintf("%q", values)
		}
	}
	return strings.Join(values, ",")
}

func serveFlagNames(t *testing.T) []string {
	t.Helper()
	cfg := app.DefaultConfig()
	var names []string
	serveFlags(&cfg, &listen{}).VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sandbox.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Every serve flag comes from the command line, from SANDBOX_<FLAG> and from the config
// file (itself named by --config or SANDBOX_CONFIG).
func TestEveryServeFlagFromEachSource(t *testing.T) {
	for _, name := range serveFlagNames(t) {
		if name == "config" {
			continue // names the file: covered by the file cases
		}
		s, ok := serveSamples[name]
		if !ok {
			t.Errorf("--%s has no sample in this test: add one", name)
			continue
		}
		file := writeConfig(t, name+": "+s.yaml+"\n")
		flagArgs := []string{"--" + name + "=" + s.value}
		if config.Repeatable(lookup(name)) {
			flagArgs = nil
			for _, v := range strings.Split(s.value, ",") {
				flagArgs = append(flagArgs, "--"+name+"="+v)
			}
		}
		for source, setup := range map[string]func() []string{
			"flag":             func() []string { return flagArgs },
			"environment":      func() []string { t.Setenv(config.EnvName(name), s.value); return nil },
			"file by flag":     func() []string { return []string{"--config", file} },
			"file by variable": func() []string { t.Setenv("SANDBOX_CONFIG", file); return nil },
		} {
			t.Run(name+"/"+source, func(t *testing.T) {
				cfg, l, err := parseServe(setup())
				if err != nil {
					t.Fatal(err)
				}
				if got := s.got(cfg, l); got != s.value {
					t.Fatalf("--%s from %s = %q, want %q", name, source, got, s.value)
				}
			})
		}
	}
}

func lookup(name string) *flag.Flag {
	cfg := app.DefaultConfig()
	return serveFlags(&cfg, &listen{}).Lookup(name)
}

func TestServePrecedence(t *testing.T) {
	file := writeConfig(t, "seed: 3\ncustomers: 3\njournal-size: 3\ndmt-client: [file:1]\n")
	t.Setenv("SANDBOX_CONFIG", file)
	t.Setenv("SANDBOX_SEED", "2")
	t.Setenv("SANDBOX_CUSTOMERS", "2")
	t.Setenv("SANDBOX_DMT_CLIENT", "env:1")
	cfg, _, err := parseServe([]string{"--seed", "1"})
	if err != nil {
		t.Fatal(err)
	}
	def := app.DefaultConfig()
	if cfg.Fixtures.Seed != 1 || cfg.Fixtures.Customers != 2 || cfg.JournalSize != 3 || cfg.DMT.Clients[0].ID != "env" || len(cfg.DMT.Clients) != 1 || cfg.DMT.OTP != "123456" || def.JournalSize == 3 {
		t.Fatalf("flag > environment > file > default: seed %d (flag 1), customers %d (env 2), journal %d (file 3), clients %+v (env), otp %s (default)",
			cfg.Fixtures.Seed, cfg.Fixtures.Customers, cfg.JournalSize, cfg.DMT.Clients, cfg.DMT.OTP)
	}
}

func TestServeBadValues(t *testing.T) {
	t.Setenv("SANDBOX_JOURNAL_SIZE", "lots")
	_, _, err := parseServe(nil)
	var bc *badConfig
	if !errors.As(err, &bc) || !strings.Contains(err.Error(), `SANDBOX_JOURNAL_SIZE="lots"`) || !strings.Contains(err.Error(), "--journal-size") || !strings.Contains(err.Error(), "want a whole number") {
		t.Fatalf("bad environment value: %v", err)
	}
	os.Unsetenv("SANDBOX_JOURNAL_SIZE")
	_, _, err = parseServe([]string{"--config", writeConfig(t, "dmt-client: [nosecret]\n")})
	if !errors.As(err, &bc) || !strings.Contains(err.Error(), "sandbox.yaml:1: dmt-client") || !strings.Contains(err.Error(), "id:secret") {
		t.Fatalf("bad file value: %v", err)
	}
	_, _, err = parseServe([]string{"--log-level", "verbose"})
	var ue *usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "log-level") || !strings.Contains(err.Error(), "debug, info, warn or error") {
		t.Fatalf("bad --log-level: %v", err)
	}
}

// The help of serve names every flag's variable.
func TestServeHelpShowsEveryVariable(t *testing.T) {
	var b strings.Builder
	serveUsage(&b)
	for _, name := range serveFlagNames(t) {
		if !strings.Contains(b.String(), "--"+name) || !strings.Contains(b.String(), "env "+config.EnvName(name)) {
			t.Errorf("sandbox serve -h does not show --%s and %s", name, config.EnvName(name))
		}
	}
}

// A local-mode sandbox listening beyond loopback says its admin API is open to anyone.
func TestOpenWarning(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		hosted bool
		warn   bool
	}{
		{"127.0.0.1:8080", false, false},
		{"[::1]:8080", false, false},
		{"0.0.0.0:8080", false, true},
		{"[::]:8080", false, true},
		{"192.168.1.20:8080", false, true},
		{"0.0.0.0:8080", true, false},
	} {
		addr, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		msg := openWarning(addr, tc.hosted)
		if (msg != "") != tc.warn || tc.warn && !strings.Contains(msg, "admin API") {
			t.Errorf("listening on %s (hosted: %v): warning %q, want one: %v", tc.addr, tc.hosted, msg, tc.warn)
		}
	}
}

// The binary logs the warning when it listens on every interface, and not on loopback.
func TestServeWarnsWhenOpen(t *testing.T) {
	warned := func(b *running) bool {
		for _, l := range b.lines() {
			var entry struct{ Level, Msg string }
			if json.Unmarshal([]byte(l), &entry) == nil && entry.Level == "WARN" && strings.Contains(entry.Msg, "admin API (/__sandbox/*) is open to anyone") {
				return true
			}
		}
		return false
	}
	if b := launch(t, nil, "--addr", "0.0.0.0:0"); !warned(b) {
		t.Errorf("no warning listening on 0.0.0.0:\n%s", strings.Join(b.lines(), "\n"))
	}
	if b := launch(t, nil); warned(b) {
		t.Errorf("a warning listening on 127.0.0.1:\n%s", strings.Join(b.lines(), "\n"))
	}
}

// The config file's tenants section declares tenants with their credentials.
func TestConfigFileDeclaresTenants(t *testing.T) {
	file := writeConfig(t, `hosted: true
tenants:
  - tenant: PARTNER_A
    adminToken: tok-a
    dcms: {username: ua, password: pa, setPinKey: `+setPinKeyB64+`}
    dmt: {clientSecret: sa, passKey: ka, key: MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=}
    profile: {appId: aa, appSecret: asa}
`)
	cfg, _, err := parseServe([]string{"--config", file})
	if err != nil || !cfg.Hosted || len(cfg.Tenants) != 1 || cfg.Tenants[0].Tenant != "PARTNER_A" || cfg.Tenants[0].DCMS.Password != "pa" {
		t.Fatalf("config %+v, %v", cfg.Tenants, err)
	}
	bad := writeConfig(t, "tenants:\n  - tenant: PARTNER_A\n")
	if _, _, err := parseServe([]string{"--config", bad}); err == nil || !strings.Contains(err.Error(), "adminToken is required") {
		t.Fatalf("a tenant without credentials: %v", err)
	}
}
