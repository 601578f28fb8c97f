package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/openapi"
	"github.com/partnersandbox/sandbox/partner"
)

// TestContractExamplesRunAsIs sends every request example of every contract, in document
// order (contracts as openapi.APIs lists them, paths, methods and examples as the files
// have them), to one fresh sandbox: each must succeed (2xx). A request example is a JSON
// body example, with the operation's parameter examples; an operation without body
// examples is sent once with its parameter examples (one whose body is required but has no
// example is left out). Then every response example must be what the sandbox answers for it:
//
//   - the response example named like a request example of its operation is that request's
//     answer;
//   - any other says how to get it with x-sandbox-request (see exampleRequest), sent right
//     after its operation's request examples; a shared one (components/responses) is checked
//     at each operation that documents its scenario, and at least once;
//   - an operation's only 2xx example needs no link: it is what each of its request
//     examples answers.
//
// Answers compare as JSON, exactly, but for values the sandbox makes afresh on each run: a
// string that is a time or date, a UUID or a JWT in the example may be any string of the
// same form in the answer; a DMT ResponseData is compared decrypted.
func TestContractExamplesRunAsIs(t *testing.T) {
	// SECURE_BANK needs a DCMS Bearer token, so the contract's example of a missing one can
	// be what the sandbox answers.
	sb, c := contracttest.Start(t, func(cfg *app.Config) { cfg.DCMS.AuthTenants = []string{"SECURE_BANK"} })
	for _, op := range sb.Engine.Catalogue().Operations() {
		catalogue[op.ID] = map[string]bool{}
		for _, o := range op.Outcomes {
			catalogue[op.ID][o.Name] = true
		}
	}
	var tok struct{ Result struct{ Token string } }
	c.Post("/api/AppSessionManager/GetAppToken", map[string]string{"appId": "sandbox_app", "appSecret": "sandbox_secret", "tenantId": "sandbox_tenant"}).Decode(t, &tok)
	credentials := map[string][]string{
		"dmt":     {"client_id", "sandbox_client", "client_secret", "sandbox_secret"},
		"profile": {"Authorization", "Bearer " + tok.Result.Token},
	}
	shared := map[string]bool{} // component examples, by "api components/responses/X name": checked once at least
	sent := 0
	for _, api := range openapi.APIs {
		ct := loadContract(t, api)
		for _, op := range ct.operations() {
			name := api + " " + op.method + " " + op.path
			reqs := op.requests()
			if len(reqs) == 0 {
				t.Logf("%s: no request example (its body is required and has none)", name)
			}
			answers := map[string]*contracttest.Response{}
			for _, rq := range reqs {
				r := send(c, rq, credentials[api])
				sent++
				if r.Status < 200 || r.Status > 399 { // a redirect is an answer too (GET /)
					t.Errorf("%s, request example %q: %d %.600s", name, rq.name, r.Status, r.Body)
				}
				answers[rq.name] = r
			}
			for _, ex := range op.responseExamples() {
				where := fmt.Sprintf("%s, %s response example %q", name, ex.status, ex.name)
				if ex.component != "" {
					where = fmt.Sprintf("%s, example %q of %s", name, ex.name, ex.component)
					if _, ok := shared[ex.component+" "+ex.name]; !ok {
						shared[ex.component+" "+ex.name] = false
					}
					if ex.how == nil {
						continue // reported once, below
					}
				}
				var rs []*contracttest.Response
				var unreproducible errUnreproducible
				switch {
				case ex.how != nil:
					rq, resend, skip, err := op.exampleRequest(ex.how, reqs)
					switch {
					case errors.As(err, &unreproducible):
						t.Logf("%s: not checked: %s", where, unreproducible.why)
						continue
					case err != nil:
						t.Errorf("%s: x-sandbox-request: %v", where, err)
						continue
					case skip != "" && ex.component == "":
						t.Errorf("%s: %s", where, skip)
						continue
					case skip != "":
						continue // a shared example is checked where it applies
					case resend:
						rs = append(rs, send(c, rq, credentials[api]))
					default:
						rs = append(rs, answers[rq.name])
					}
				case answers[ex.name] != nil:
					rs = append(rs, answers[ex.name])
				case op.only2xx(ex):
					for _, rq := range reqs { // what every request example answers
						rs = append(rs, answers[rq.name])
					}
				default:
					t.Errorf("%s: no request example of that name and no x-sandbox-request: say how to get it", where)
					continue
				}
				if ex.component != "" {
					shared[ex.component+" "+ex.name] = true
				}
				for _, r := range rs {
					if diff := match(ex, r); diff != "" {
						t.Errorf("%s is not what the sandbox answers: %s\nanswer: %d %.1500s", where, diff, r.Status, r.Body)
					}
				}
			}
		}
	}
	for ex, checked := range shared {
		if !checked {
			t.Errorf("example %s: never checked: give it an x-sandbox-request with a scenario of an operation that documents it", ex)
		}
	}
	if sent < 40 {
		t.Fatalf("only %d request examples sent", sent)
	}
}

// match says how an answer differs from a response example ("" : it does not).
func match(ex responseExample, r *contracttest.Response) string {
	if fmt.Sprint(r.Status) != ex.status {
		return fmt.Sprintf("the status is %d", r.Status)
	}
	var got any
	if err := json.Unmarshal(r.Body, &got); err != nil {
		return "the answer is not JSON"
	}
	return compare(ex.value, got, "$")
}

// contract is one contract as YAML nodes (for document order) with local $refs resolved.
type contract struct {
	api  string
	root *yaml.Node
}

func loadContract(t *testing.T, api string) contract {
	t.Helper()
	raw, err := openapi.Raw(api)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return contract{api: api, root: doc.Content[0]}
}

func child(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// resolve follows a local $ref; ref is the component's name ("" when n was not a ref).
func (ct contract) resolve(n *yaml.Node) (target *yaml.Node, ref string) {
	r := child(n, "$ref")
	if r == nil {
		return n, ""
	}
	node := ct.root
	for _, seg := range strings.Split(strings.TrimPrefix(r.Value, "#/"), "/") {
		node = child(node, seg)
	}
	return node, strings.TrimPrefix(r.Value, "#/")
}

func value(n *yaml.Node) any {
	var v any
	if err := n.Decode(&v); err != nil {
		panic(err)
	}
	b, err := json.Marshal(v) // as encoding/json would decode it
	if err != nil {
		panic(err)
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

type operation struct {
	ct           contract
	method, path string
	node, item   *yaml.Node
}

func (ct contract) operations() []operation {
	var out []operation
	paths := child(ct.root, "paths")
	for i := 0; i+1 < len(paths.Content); i += 2 {
		item := paths.Content[i+1]
		for j := 0; j+1 < len(item.Content); j += 2 {
			if m := item.Content[j].Value; m != "parameters" && !strings.HasPrefix(m, "x-") {
				out = append(out, operation{ct: ct, method: strings.ToUpper(m), path: paths.Content[i].Value, node: item.Content[j+1], item: item})
			}
		}
	}
	return out
}

// request is a request to send.
type request struct {
	name         string // the body example's name; "" for an operation without body examples
	method, path string
	query        url.Values
	header       []string
	body         any  // nil: none
	multipart    bool // body is the fields of a multipart/form-data body (FileContent its file)
}

// params are the operation's parameters (path item's and its own) with their examples
// ("" for a parameter without one, which is not sent).
func (op operation) params() map[string][2]string { // name → {in, example}
	out := map[string][2]string{}
	for _, list := range []*yaml.Node{child(op.item, "parameters"), child(op.node, "parameters")} {
		if list == nil {
			continue
		}
		for _, p := range list.Content {
			p, _ = op.ct.resolve(p)
			s := ""
			if ex := child(p, "example"); ex != nil {
				v := value(ex)
				var ok bool
				if s, ok = v.(string); !ok {
					b, _ := json.Marshal(v)
					s = string(b)
				}
			}
			out[child(p, "name").Value] = [2]string{child(p, "in").Value, s}
		}
	}
	return out
}

func (op operation) build(name string, params map[string][2]string, body any) request {
	rq := request{name: name, method: op.method, path: op.path, query: url.Values{}, body: body}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if params[k][1] == "" {
			continue
		}
		switch p := params[k]; p[0] {
		case "path":
			rq.path = strings.ReplaceAll(rq.path, "{"+k+"}", url.PathEscape(p[1]))
		case "query":
			if strings.HasPrefix(p[1], "[") { // an array example: one value each
				var vs []string
				_ = json.Unmarshal([]byte(p[1]), &vs)
				rq.query[k] = vs
			} else {
				rq.query.Set(k, p[1])
			}
		case "header":
			rq.header = append(rq.header, k, p[1])
		}
	}
	return rq
}

// requests are the operation's request examples, in document order.
func (op operation) requests() []request {
	params := op.params()
	rb, _ := op.ct.resolve(child(op.node, "requestBody"))
	mt := child(child(rb, "content"), "application/json")
	multipart := false
	if mt == nil {
		mt, multipart = child(child(rb, "content"), "multipart/form-data"), true
	}
	var out []request
	if exs := child(mt, "examples"); exs != nil {
		for i := 0; i+1 < len(exs.Content); i += 2 {
			rq := op.build(exs.Content[i].Value, params, value(child(exs.Content[i+1], "value")))
			rq.multipart = multipart
			out = append(out, rq)
		}
		return out
	}
	if ex := child(mt, "example"); ex != nil {
		rq := op.build("example", params, value(ex))
		rq.multipart = multipart
		return []request{rq}
	}
	if rb != nil && child(rb, "required") != nil && child(rb, "required").Value == "true" {
		return nil
	}
	return []request{op.build("", params, nil)}
}

// responseExample is one example of one JSON response of the operation.
type responseExample struct {
	status, name, component string
	value                   any
	how                     *yaml.Node // x-sandbox-request
}

func (op operation) responseExamples() []responseExample {
	var out []responseExample
	resps := child(op.node, "responses")
	for i := 0; i+1 < len(resps.Content); i += 2 {
		resp, ref := op.ct.resolve(resps.Content[i+1])
		if ref != "" {
			ref = op.ct.api + " " + ref
		}
		mt := child(child(resp, "content"), "application/json")
		if ex := child(mt, "example"); ex != nil {
			out = append(out, responseExample{status: resps.Content[i].Value, name: "example", component: ref, value: value(ex), how: child(mt, "x-sandbox-request")})
		}
		exs := child(mt, "examples")
		for j := 0; exs != nil && j+1 < len(exs.Content); j += 2 {
			e := exs.Content[j+1]
			out = append(out, responseExample{status: resps.Content[i].Value, name: exs.Content[j].Value, component: ref,
				value: value(child(e, "value")), how: child(e, "x-sandbox-request")})
		}
	}
	return out
}

// only2xx says ex is the operation's only example of a 2xx answer.
func (op operation) only2xx(ex responseExample) bool {
	n := 0
	for _, e := range op.responseExamples() {
		if strings.HasPrefix(e.status, "2") {
			n++
		}
	}
	return n == 1 && strings.HasPrefix(ex.status, "2")
}

// exampleRequest reads x-sandbox-request, which says how to get a response example:
//
//	x-sandbox-request:
//	  operation: manageKit           # a shared example: check it at this operation only
//	  example: lock                  # this request example's answer, or start from it (default: the operation's first)
//	  scenario: card-already-locked  # send X-Sandbox-Scenario
//	  body: {password: wrong}        # replace these top-level body fields (null: leave it out)
//	  params: {submissionId: "…"}    # replace these parameter values
//	  headers: {Authorization: ""}   # set these headers ("" sends none)
//	  unreproducible: why            # the only way out: no request gets this answer from a sandbox that serves
//
// With only example, the answer is that request example's (not sent again); with anything
// else the request is sent again (resend). skip is why a shared example does not apply to this operation (its scenario is not one
// of the operation's outcomes).
func (op operation) exampleRequest(how *yaml.Node, reqs []request) (rq request, resend bool, skip string, err error) {
	var spec struct {
		Operation         string // check a shared example at this operation only
		Example, Scenario string
		Unreproducible    string // why a running sandbox cannot give this answer on demand
		Body              map[string]any
		Params            map[string]string
		Headers           map[string]string
	}
	if err := how.Decode(&spec); err != nil {
		return request{}, false, "", err
	}
	if spec.Unreproducible != "" {
		return request{}, false, "", errUnreproducible{spec.Unreproducible}
	}
	if spec.Operation != "" && spec.Operation != child(op.node, "operationId").Value {
		return request{}, false, "it is checked at " + spec.Operation, nil
	}
	if spec.Scenario != "" && !hasOutcome(op, spec.Scenario) && spec.Scenario != "no-such-scenario" {
		return request{}, false, fmt.Sprintf("%s is not an outcome of this operation", spec.Scenario), nil
	}
	if len(reqs) == 0 {
		return request{}, false, "", fmt.Errorf("the operation has no request example to start from")
	}
	resend = spec.Scenario != "" || len(spec.Body) > 0 || len(spec.Params) > 0 || len(spec.Headers) > 0
	base := reqs[0]
	if spec.Example != "" {
		found := false
		for _, r := range reqs {
			if r.name == spec.Example {
				base, found = r, true
			}
		}
		if !found {
			return request{}, false, "", fmt.Errorf("no request example %q", spec.Example)
		}
	}
	if len(spec.Params) > 0 {
		params := op.params()
		for k, v := range spec.Params {
			p, ok := params[k]
			if !ok {
				return request{}, false, "", fmt.Errorf("no parameter %q with an example", k)
			}
			params[k] = [2]string{p[0], v}
		}
		base = op.build(base.name, params, base.body)
	}
	if len(spec.Body) > 0 {
		body := map[string]any{}
		if m, ok := base.body.(map[string]any); ok {
			for k, v := range m {
				body[k] = v
			}
		}
		for k, v := range spec.Body {
			if v == nil {
				delete(body, k) // null: leave the field out
			} else {
				body[k] = v
			}
		}
		base.body = body
	}
	base.header = append([]string(nil), base.header...)
	if spec.Scenario != "" {
		base.header = append(base.header, "X-Sandbox-Scenario", spec.Scenario)
	}
	for k, v := range spec.Headers {
		base.header = append(base.header, k, v)
	}
	return base, resend, "", nil
}

// errUnreproducible says why an example is not checked: the answer needs a sandbox that
// cannot serve (a state store that does not answer), which no request can bring about.
type errUnreproducible struct{ why string }

func (e errUnreproducible) Error() string { return e.why }

var catalogue = map[string]map[string]bool{} // operationId → outcome names of the partner APIs

func hasOutcome(op operation, name string) bool {
	id := child(op.node, "operationId").Value
	if catalogue[id] == nil {
		return true // not a partner operation: the admin API has no catalogue
	}
	return catalogue[id][name]
}

// send sends a request (credentials first, so its own headers win) and checks the answer
// against the contract.
func send(c *contracttest.Client, rq request, credentials []string) *contracttest.Response {
	u := rq.path
	if len(rq.query) > 0 {
		u += "?" + rq.query.Encode()
	}
	var body any
	if rq.body != nil {
		body = rq.body
	}
	header := append(append([]string(nil), credentials...), rq.header...)
	if rq.multipart {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fields, _ := rq.body.(map[string]any)
		names := make([]string, 0, len(fields))
		for k := range fields {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			v := fmt.Sprint(fields[k])
			if k == "FileContent" { // a file part without a type: the sandbox reads it from the bytes
				h := textproto.MIMEHeader{}
				h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, k, fmt.Sprint(fields["OriginalFileName"])))
				part, _ := w.CreatePart(h)
				_, _ = part.Write([]byte(v))
				continue
			}
			_ = w.WriteField(k, v)
		}
		_ = w.Close()
		body = buf.Bytes()
		header = append(header, "Content-Type", w.FormDataContentType())
	}
	return c.Do(rq.method, u, body, header...)
}

var (
	isTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$|^\d{1,2} [A-Z][a-z]+ \d{4}$|^\d{2}:\d{2}$`)
	isJWT  = regexp.MustCompile(`^ey[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`)
	uuids  = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// sameForm says two strings differ only by values the sandbox makes afresh: they are both
// times or dates, or both JWTs, or equal but for their UUIDs ("<uuid>_passport.pdf").
func sameForm(a, b string) bool {
	for _, re := range []*regexp.Regexp{isTime, isJWT} {
		if re.MatchString(a) && re.MatchString(b) {
			return true
		}
	}
	return uuids.MatchString(a) && uuids.ReplaceAllString(a, "<uuid>") == uuids.ReplaceAllString(b, "<uuid>")
}

var dmtKey = []byte("sandbox-dmt-aes-256-key-32-bytes")

// compare says where want (an example) and got (an answer) differ, "" when they do not.
func compare(want, got any, at string) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: the example has an object, the answer %s", at, show(got))
		}
		if rd, ok := w["ResponseData"].(string); ok && len(w) == 1 {
			gd, _ := g["ResponseData"].(string)
			a, err1 := partner.DecryptDMT(dmtKey, rd)
			b, err2 := partner.DecryptDMT(dmtKey, gd)
			var x, y any
			if err1 != nil || err2 != nil || json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
				return fmt.Sprintf("%s.ResponseData: does not decrypt with the sandbox key (%v, %v)", at, err1, err2)
			}
			return compare(x, y, at+".ResponseData(decrypted)")
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			wv, inW := w[k]
			gv, inG := g[k]
			switch {
			case !inW:
				return fmt.Sprintf("%s.%s: the answer has it (%s), the example not", at, k, show(gv))
			case !inG:
				return fmt.Sprintf("%s.%s: the example has it (%s), the answer not", at, k, show(wv))
			}
			if d := compare(wv, gv, at+"."+k); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: the example has %d items, the answer %s", at, len(w), show(got))
		}
		for i := range w {
			if d := compare(w[i], g[i], fmt.Sprintf("%s[%d]", at, i)); d != "" {
				return d
			}
		}
		return ""
	case string:
		if g, ok := got.(string); ok && (g == w || sameForm(w, g)) {
			return ""
		}
	default:
		if reflect.DeepEqual(want, got) {
			return ""
		}
	}
	return fmt.Sprintf("%s: the example has %s, the answer %s", at, show(want), show(got))
}

func show(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
