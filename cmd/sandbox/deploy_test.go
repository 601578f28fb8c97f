package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/config"
)

// Docker cannot run here, so the image and the compose file are checked for what can be
// checked: their configuration is variables the binary reads, with values it accepts, and
// the health check is a command it has.

func readRepoFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", path))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// serveVariables are the SANDBOX_* variables serve reads.
func serveVariables() map[string]bool {
	cfg := app.DefaultConfig()
	vars := map[string]bool{}
	serveFlags(&cfg, &listen{}).VisitAll(func(f *flag.Flag) { vars[config.EnvName(f.Name)] = true })
	return vars
}

// checkServeEnv fails unless env is variables serve reads and accepts.
func checkServeEnv(t *testing.T, where string, env map[string]string) (app.Config, listen) {
	t.Helper()
	known := serveVariables()
	for k, v := range env {
		if !known[k] {
			t.Errorf("%s sets %s, which sandbox serve does not read", where, k)
		}
		t.Setenv(k, v)
	}
	cfg, l, err := parseServe(nil)
	if err != nil {
		t.Fatalf("%s: sandbox serve refuses its environment: %v", where, err)
	}
	return cfg, l
}

func TestDockerfile(t *testing.T) {
	df := readRepoFile(t, "Dockerfile")
	if n := len(regexp.MustCompile(`(?m)^FROM `).FindAllString(df, -1)); n < 2 {
		t.Errorf("not multi-stage: %d FROM", n)
	}
	if !strings.Contains(df, "CGO_ENABLED=0") {
		t.Error("the binary is not built static (CGO_ENABLED=0)")
	}
	if m := regexp.MustCompile(`(?m)^USER (\S+)`).FindStringSubmatch(df); m == nil || strings.HasPrefix(m[1], "root") || strings.HasPrefix(m[1], "0") {
		t.Errorf("the image does not run as a non-root user: %v", m)
	}
	env := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^ENV (\w+)=(\S+)`).FindAllStringSubmatch(df, -1) {
		env[m[1]] = m[2]
	}
	_, l := checkServeEnv(t, "Dockerfile", env)
	if l.addr != "0.0.0.0:8080" {
		t.Errorf("the image listens on %s, want 0.0.0.0:8080", l.addr)
	}
	// HEALTHCHECK ... CMD ["/usr/local/bin/sandbox", "healthcheck"], continued lines joined.
	m := regexp.MustCompile(`HEALTHCHECK[^\n]*(?:\\\n[^\n]*)*CMD (\[[^\]]*\])`).FindStringSubmatch(df)
	if m == nil {
		t.Fatal("no HEALTHCHECK CMD in exec form")
	}
	var argv []string
	if err := json.Unmarshal([]byte(m[1]), &argv); err != nil || len(argv) < 2 {
		t.Fatalf("HEALTHCHECK CMD %s: %v", m[1], err)
	}
	if _, ok := commands[argv[1]]; !ok || argv[1] != "healthcheck" || !strings.Contains(df, "COPY --from=build /out/sandbox "+argv[0]) {
		t.Errorf("HEALTHCHECK runs %v, want the image's sandbox healthcheck", argv)
	}
}

func TestComposeFile(t *testing.T) {
	var compose struct {
		Services map[string]struct {
			Image       string
			Build       any
			Environment map[string]string
			Volumes     []string
		}
	}
	if err := yaml.Unmarshal([]byte(readRepoFile(t, "deploy/compose.yaml")), &compose); err != nil {
		t.Fatal(err)
	}
	nginx := readRepoFile(t, "deploy/nginx.conf")
	replicas := 0
	for name, svc := range compose.Services {
		if svc.Image != "partner-sandbox:latest" {
			continue
		}
		replicas++
		if !strings.Contains(nginx, "server "+name+":8080") {
			t.Errorf("nginx.conf does not balance to %s:8080", name)
		}
		// The config file the replicas mount is the one beside compose.yaml.
		env := map[string]string{}
		for k, v := range svc.Environment {
			env[k] = v
		}
		for _, v := range svc.Volumes {
			host, container, _ := strings.Cut(strings.TrimSuffix(v, ":ro"), ":")
			if container == env["SANDBOX_CONFIG"] {
				env["SANDBOX_CONFIG"] = filepath.Join("..", "..", "deploy", host)
			}
		}
		cfg, _ := checkServeEnv(t, "compose service "+name, env)
		if !cfg.AccessLog || cfg.Fixtures.Customers != 20 || !cfg.Hosted || cfg.AdminToken == "" {
			t.Errorf("%s: the environment and sandbox.yaml did not reach the configuration: %+v", name, cfg)
		}
	}
	if replicas != 2 {
		t.Errorf("%d sandbox replicas, want 2", replicas)
	}
	for _, svc := range []string{"redis", "lb"} {
		if _, ok := compose.Services[svc]; !ok {
			t.Errorf("no %s service", svc)
		}
	}
}
