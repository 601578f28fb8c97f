package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/scenarios"
)

// TestEveryListedOutcomeAnswersAsListed forces every outcome the catalogue lists for every
// partner operation, on the operation's first request example, and checks the HTTP status
// and the API's own code the catalogue promises. The operations run in document order on
// one sandbox, so the state each request example needs is there; a forced "ok" then
// succeeds (its listed 200 and success code) where the state allows, and otherwise answers
// a listed error whose message says that success needs state that does not exist.
func TestEveryListedOutcomeAnswersAsListed(t *testing.T) {
	sb, c := newSandbox(t)
	var tok struct{ Result struct{ Token string } }
	c.Post("/api/AppSessionManager/GetAppToken", map[string]string{"appId": "sandbox_app", "appSecret": "sandbox_secret", "tenantId": "sandbox_tenant"}).Decode(t, &tok)
	credentials := map[string][]string{
		"dmt":     {"client_id", "sandbox_client", "client_secret", "sandbox_secret"},
		"profile": {"Authorization", "Bearer " + tok.Result.Token},
	}
	forced, okRefused := 0, 0
	for _, api := range []string{"dcms", "dmt", "profile"} {
		for _, op := range loadContract(t, api).operations() {
			id := child(op.node, "operationId").Value
			cat, ok := sb.Engine.Catalogue().Op(id)
			if !ok {
				t.Fatalf("%s is not in the catalogue", id)
			}
			reqs := op.requests()
			if len(reqs) == 0 {
				t.Fatalf("%s has no request example", id)
			}
			for _, o := range cat.Outcomes {
				if o.Name == "ok" {
					continue // below, once the errors (which change nothing) are checked
				}
				rq := reqs[0]
				rq.header = append(append([]string(nil), rq.header...), "X-Sandbox-Scenario", o.Name)
				r := send(c, rq, credentials[api])
				forced++
				if code := apiCode(t, api, r); r.Status != o.Status || code != o.Code {
					t.Errorf("%s forced %s: %d %q, the catalogue lists %d %q: %.300s", id, o.Name, r.Status, code, o.Status, o.Code, r.Body)
				}
			}
			// ok: success where the state allows; otherwise the documented error, saying so.
			rq := reqs[0]
			rq.header = append(append([]string(nil), rq.header...), "X-Sandbox-Scenario", "ok")
			r := send(c, rq, credentials[api])
			code := apiCode(t, api, r)
			if r.Status == 200 && success(api, code) {
				continue
			}
			if _, listed := cat.Answering(r.Status, code); !listed || !strings.HasPrefix(message(r), scenarios.OKRefused) {
				t.Errorf("%s forced ok on example %q: %d %q, neither success nor a refusal that says why: %.300s", id, rq.name, r.Status, code, r.Body)
			}
			okRefused++
		}
	}
	if okRefused > 2 { // the vendor's registration sample has a wrong OTP; little else should refuse
		t.Errorf("forced ok was refused on %d first request examples", okRefused)
	}
	if forced < 150 {
		t.Fatalf("only %d outcomes forced", forced)
	}
}

// apiCode is the API's own code of an answer: DCMS exception.errorCode ("" on success), DMT
// statusCode (of the plain answer), profile statusCode.
func apiCode(t *testing.T, api string, r *contracttest.Response) string {
	t.Helper()
	var v struct {
		Exception *struct {
			ErrorCode string `json:"errorCode"`
		} `json:"exception"`
		StatusCode json.RawMessage `json:"statusCode"`
	}
	if json.Unmarshal(r.Body, &v) != nil {
		return "" // a PDF or a document: no code
	}
	switch api {
	case "dcms":
		if v.Exception != nil {
			return v.Exception.ErrorCode
		}
		return ""
	case "dmt":
		var s string
		_ = json.Unmarshal(v.StatusCode, &s)
		return s
	}
	return string(v.StatusCode)
}

// message is an error answer's message: DCMS detailMessage, DMT statusDesc, the first of
// the profile messages.
func message(r *contracttest.Response) string {
	var v struct {
		Exception *struct {
			DetailMessage string `json:"detailMessage"`
		} `json:"exception"`
		StatusDesc string   `json:"statusDesc"`
		Messages   []string `json:"messages"`
	}
	_ = json.Unmarshal(r.Body, &v)
	switch {
	case v.Exception != nil:
		return v.Exception.DetailMessage
	case len(v.Messages) > 0:
		return v.Messages[0]
	}
	return v.StatusDesc
}

func success(api, code string) bool {
	switch api {
	case "dcms":
		return code == ""
	case "dmt":
		return code == "0" || code == "1" || code == "2" || code == "3"
	}
	return code == "200" || code == "0" || code == "" // the profile reads answer 0, as the vendor's sample; a PDF none
}
