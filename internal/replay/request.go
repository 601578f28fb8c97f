package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/partnersandbox/sandbox/scenarios"
	"github.com/partnersandbox/sandbox/scenarios/scenariofile"
)

func (fr *fileRun) lookup(name string) (string, bool) {
	v, ok := fr.vars[name]
	if !ok {
		return "", false
	}
	return scenarios.Scalar(v), true
}

func (fr *fileRun) expand(s string) (string, error) {
	out, missing, ok := scenariofile.Expand(s, fr.lookup)
	if !ok {
		return "", fmt.Errorf("${%s} has no value (the step that saves it failed or did not run)", missing)
	}
	return out, nil
}

// expandValue expands variables in every string of a JSON value; a string that is exactly
// "${name}" becomes the saved value itself (a number stays a number).
func (fr *fileRun) expandValue(v any) (any, error) {
	switch t := v.(type) {
	case string:
		if name, ok := scenariofile.WholeVar(t); ok {
			if val, ok := fr.vars[name]; ok {
				return val, nil
			}
		}
		return fr.expand(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			x, err := fr.expandValue(e)
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			x, err := fr.expandValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	return v, nil
}

// request builds a step's request: variables expanded, credentials added by API.
func (fr *fileRun) request(ctx context.Context, s *scenariofile.Step) (*http.Request, error) {
	u, err := fr.url(s)
	if err != nil {
		return nil, err
	}
	body, err := fr.body(s)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, s.Method, u, body)
	if err != nil {
		return nil, err
	}
	if s.ContentType != "" {
		req.Header.Set("Content-Type", s.ContentType)
	}
	if !s.NoAuth() {
		if err := fr.credentials(ctx, s, req.Header); err != nil {
			return nil, err
		}
	}
	if s.Scenario != "" {
		req.Header.Set(scenarios.Header, s.Scenario)
	}
	for _, kv := range s.Headers {
		v, err := fr.expand(kv.Value)
		if err != nil {
			return nil, err
		}
		req.Header.Set(kv.Name, v)
	}
	return req, nil
}

// getAppToken is the profile API's token operation; replay calls it for profile steps.
const getAppToken = "/api/AppSessionManager/GetAppToken"

// credentials adds the headers of the step's API.
func (fr *fileRun) credentials(ctx context.Context, s *scenariofile.Step, h http.Header) error {
	c := fr.f.Credentials
	switch s.API {
	case "dcms":
		h.Set("tenant", or(s.Tenant, c.DCMS.Tenant))
	case "dmt":
		h.Set("client_id", or(s.Tenant, c.DMT.ClientID))
		h.Set("client_secret", c.DMT.ClientSecret)
	case "profile":
		if s.Path == getAppToken {
			return nil
		}
		tenant := or(s.Tenant, c.Profile.TenantID)
		tok, ok := fr.tokens[tenant]
		if !ok {
			var err error
			if tok, err = fr.token(ctx, tenant); err != nil {
				return err
			}
			fr.tokens[tenant] = tok
		}
		h.Set("Authorization", "Bearer "+tok)
	}
	return nil
}

// token calls GetAppToken for a profile tenant.
func (fr *fileRun) token(ctx context.Context, tenant string) (string, error) {
	c := fr.f.Credentials.Profile
	data, _ := json.Marshal(map[string]string{"appId": c.AppID, "appSecret": c.AppSecret, "tenantId": tenant})
	resp, body, err := fr.do(ctx, http.MethodPost, fr.target+getAppToken, http.Header{"Content-Type": {"application/json"}}, data)
	if err != nil {
		return "", fmt.Errorf("getting a profile token for %s: %w", tenant, err)
	}
	var v any
	_ = json.Unmarshal(body, &v)
	tok, _ := scenarios.Lookup(v, "result.token")
	if s, ok := tok.(string); ok && resp.StatusCode == http.StatusOK && s != "" {
		return s, nil
	}
	return "", fmt.Errorf("getting a profile token for %s (appId %s): GetAppToken answered %d: %s", tenant, c.AppID, resp.StatusCode, snippet(body))
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// readBody reads a request's body and puts it back, so it can be read again.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil {
		return nil, nil
	}
	data, err := io.ReadAll(req.Body)
	req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(data))
	return data, err
}

func (rn *runner) do(ctx context.Context, method, u string, h http.Header, body []byte) (*http.Response, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, nil, err
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := rn.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp, out, err
}

// url is a step's URL on the target, variables expanded.
func (fr *fileRun) url(s *scenariofile.Step) (string, error) {
	path, err := fr.expand(s.Path)
	if err != nil {
		return "", err
	}
	q := url.Values{}
	for _, kv := range s.Query {
		v, err := fr.expand(kv.Value)
		if err != nil {
			return "", err
		}
		q.Add(kv.Name, v)
	}
	u := fr.target + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u, nil
}

// body is a step's body (nil: none), variables expanded.
func (fr *fileRun) body(s *scenariofile.Step) (io.Reader, error) {
	switch {
	case s.Body != nil:
		v, err := fr.expandValue(s.Body.V)
		if err != nil {
			return nil, err
		}
		data, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return bytes.NewReader(data), nil
	case s.Raw != nil:
		raw, err := fr.expand(*s.Raw)
		if err != nil {
			return nil, err
		}
		return strings.NewReader(raw), nil
	}
	return nil, nil
}
