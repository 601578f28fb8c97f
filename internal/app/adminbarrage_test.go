package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/openapi"
)

// badPathValues are path parameter values a careless or hostile client sends, escaped as
// they go on the wire: traversal, an encoded slash, invalid UTF-8, a NUL, a long value.
var badPathValues = []string{"..", ".", "%2E%2E", "a%2Fb", "..%2F..%2Fetc", "%2F", "%FF%FE", "%00", "a%20b", strings.Repeat("x", 300), "NOBODY"}

// badQueryValues are query values of every kind the contract does not expect.
var badQueryValues = []string{"%FF", "", "-1", "0", "abc", "99999999999999999999", "..%2F", "%00", "1.5", "true"}

// badBodies are request bodies of every kind an operation does not expect.
var badBodies = []string{"", "not json", "{}", "[]", `{"x":`, "\xff\xfe", `{"ids":"x"}`, `{"a":` + strings.Repeat("[", 50) + strings.Repeat("]", 50) + `}`, "null", `"s"`, "123"}

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// TestAdminBarrage sends bad input to every admin operation (issue 12): bad path
// parameters (with .. and %2F, which must not be redirected), bad query parameters and
// bad bodies. The checking client fails the test on any status, header or body the
// contract does not document for the operation, a 500, or a redirect.
func TestAdminBarrage(t *testing.T) {
	doc, err := openapi.Load("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	_, c := newSandbox(t)
	c.With("tenant", "ACME_BANK").Post("/v1/viewCustomer", `{"entityId":"675676"}`) // a journal to export
	sent := 0
	send := func(method, path, body, ct string) {
		t.Helper()
		sent++
		u, err := url.Parse(c.BaseURL + path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		req := &http.Request{Method: method, URL: u, Header: http.Header{}, Host: u.Host}
		if body != "" || method != http.MethodGet {
			req.Body = http.NoBody
			if body != "" {
				req, _ = http.NewRequest(method, "", strings.NewReader(body))
				req.URL, req.Host = u, u.Host
			}
			req.Header.Set("Content-Type", ct)
		}
		r := c.Send(req)
		if r.Status >= 500 && r.Status != http.StatusServiceUnavailable || r.Status >= 300 && r.Status < 400 {
			t.Errorf("%s %s: %d %s", method, path, r.Status, r.Body)
		}
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			if method == http.MethodPost && path == "/__sandbox/reset" {
				continue // it would clear the journal the others read; its query is checked below
			}
			params := pathParam.FindAllString(path, -1)
			fill := func(v string) string { return pathParam.ReplaceAllString(path, v) }
			good := fill("ACME_BANK")
			for _, v := range badPathValues {
				if len(params) > 0 {
					send(method, fill(v), "", "application/json")
				}
			}
			for _, p := range op.Parameters {
				if p.Value.In != "query" {
					continue
				}
				for _, v := range badQueryValues {
					send(method, good+"?"+p.Value.Name+"="+v, "", "application/json")
				}
				send(method, good+"?"+p.Value.Name+"=a&"+p.Value.Name+"=b", "", "application/json")
			}
			if op.RequestBody != nil {
				for _, b := range badBodies {
					send(method, good, b, "application/json")
				}
				send(method, good, `{}`, "text/plain")
			}
		}
	}
	send(http.MethodPost, "/__sandbox/reset?tenant=%FF", "", "application/json")
	send(http.MethodPost, "/__sandbox/reset?tenant=..%2F", "", "application/json")
	if sent < 500 {
		t.Errorf("the barrage sent only %d requests", sent)
	}
	t.Logf("%d requests", sent)
}
