package replay_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/partnersandbox/sandbox/scenarios/scenariofile"
)

// TestExamplesLoadAsBefore: the files of scenarios/examples load exactly as they did
// before the format had one definition. testdata/examples-loaded.json is what the
// hand-written parser (before scenarios/scenariofile) made of them, written with the same
// canonical form as loaded below; regenerate it only for a deliberate change of meaning.
func TestExamplesLoadAsBefore(t *testing.T) {
	sb := newSandbox(t)
	files, err := scenariofile.LoadDir("../../scenarios/examples", sb.Engine.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	var out []any
	for _, f := range files {
		out = append(out, canonical(f))
	}
	got, _ := json.MarshalIndent(out, "", " ")
	want, err := os.ReadFile("testdata/examples-loaded.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		_ = os.WriteFile(t.TempDir()+"/got.json", got, 0o600)
		t.Fatalf("the examples load differently:\n%s", firstDiff(got, want))
	}
}

// canonical is what a loaded file means to replay and the server.
func canonical(f *scenariofile.File) map[string]any {
	var steps, fixtures, rules []any
	for _, s := range f.Steps {
		steps = append(steps, canonicalStep(s))
	}
	for _, fx := range f.Fixtures {
		fixtures = append(fixtures, map[string]any{"api": fx.API, "tenant": fx.Tenant, "kind": fx.Kind, "id": fx.ID, "value": fx.Value, "pos": fx.Pos})
	}
	for _, r := range f.Rules {
		rules = append(rules, map[string]any{"spec": r.Spec(), "pos": r.Pos})
	}
	return map[string]any{"path": f.Path, "name": f.Name, "description": f.Description, "tenant": f.Tenant, "reset": f.Reset,
		"credentials": f.Credentials, "vars": f.Vars, "fixtures": fixtures, "rules": rules, "steps": steps, "tenants": f.Tenants()}
}

func canonicalStep(s scenariofile.Step) map[string]any {
	var checks []any
	for _, c := range append(append(scenariofile.Checks{}, s.Expect.Body...), s.Expect.Headers...) {
		re := ""
		if c.Match.Re != nil {
			re = c.Match.Re.String()
		}
		checks = append(checks, map[string]any{"path": c.Path, "kind": c.Match.Kind, "value": c.Match.Value, "re": re, "n": c.Match.N, "pos": c.Pos})
	}
	var body, raw any
	if s.Body != nil {
		body = map[string]any{"v": s.Body.V}
	}
	if s.Raw != nil {
		raw = *s.Raw
	}
	return map[string]any{"pos": s.Pos, "name": s.Name, "note": s.Note, "skip": string(s.Skip), "api": s.API, "method": s.Method,
		"path": s.Path, "query": []scenariofile.KV(s.Query), "headers": []scenariofile.KV(s.Headers), "scenario": s.Scenario, "tenant": s.Tenant,
		"noAuth": s.NoAuth(), "body": body, "raw": raw, "contentType": s.ContentType, "status": s.Expect.Status, "checks": checks,
		"save": []scenariofile.Save(s.Save), "clock": s.Clock}
}

// firstDiff shows where two texts part.
func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-300)
	return "got:  …" + string(got[from:min(len(got), i+200)]) + "\nwant: …" + string(want[from:min(len(want), i+200)])
}
