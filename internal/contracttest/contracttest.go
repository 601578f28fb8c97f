// Package contracttest is the one helper every API test uses to talk to the sandbox:
// each response it returns has been checked against the OpenAPI document of its API
// (status documented, headers, body schema), so no test can see an answer the contract
// does not allow. Validate is the same check for code that is not a test: `sandbox replay`
// checks every answer of the server it replays against with it.
package contracttest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/partnersandbox/sandbox/openapi"
)

var (
	loadOnce sync.Once
	loaded   []routers.Router
	loadErr  error
)

func contractRouters() ([]routers.Router, error) {
	loadOnce.Do(func() {
		for _, api := range openapi.APIs {
			doc, err := openapi.Load(api)
			if err != nil {
				loadErr = err
				return
			}
			r, err := gorillamux.NewRouter(doc)
			if err != nil {
				loadErr = err
				return
			}
			loaded = append(loaded, r)
		}
	})
	return loaded, loadErr
}

var checkOptions = &openapi3filter.Options{
	MultiError:            true,
	IncludeResponseStatus: true, // an undocumented status is a failure, not a pass
	AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
}

// Check fails t unless the response to req (with the given bodies) is one the contract of
// req's operation documents. Non-JSON bodies (PDF, document bytes) are checked for status
// and content type; their bytes are for the test to judge.
func Check(t testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	if err := Validate(req, status, header, body); err != nil {
		if errors.Is(err, ErrNoOperation) || errors.Is(err, errLoading) {
			t.Fatalf("contracttest: %v", err)
		}
		t.Errorf("contracttest: %v", err)
	}
}

// ErrNoOperation says a request is to an operation of no contract.
var ErrNoOperation = errors.New("is in no contract")

var errLoading = errors.New("loading the contracts")

// Validate says what is wrong (nil: nothing) with a response to req against the contract of
// req's operation: an undocumented status, header or body. It is Check for code that is not
// a test, such as `sandbox replay`. The request's body must be readable.
func Validate(req *http.Request, status int, header http.Header, body []byte) error {
	rs, err := contractRouters()
	if err != nil {
		return fmt.Errorf("%w: %v", errLoading, err)
	}
	var route *routers.Route
	var params map[string]string
	for _, r := range rs {
		if route, params, err = r.FindRoute(req); err == nil {
			break
		}
	}
	if route == nil {
		return fmt.Errorf("%s %s %w", req.Method, req.URL.Path, ErrNoOperation)
	}
	opts := *checkOptions
	ct, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	if ct != "application/json" {
		opts.ExcludeResponseBody = true
		if resp := route.Operation.Responses.Status(status); resp != nil && resp.Value != nil && len(resp.Value.Content) > 0 && resp.Value.Content.Get(ct) == nil {
			return fmt.Errorf("%s %s answered %d with Content-Type %q, which the contract does not document", req.Method, req.URL.Path, status, ct)
		}
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: &opts},
		Status:                 status,
		Header:                 header,
		Options:                &opts,
	}
	input.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		return fmt.Errorf("%s %s (%s) answered %d, which breaks the contract:\n%v\nbody: %s", req.Method, req.URL.Path, route.Operation.OperationID, status, err, truncate(body))
	}
	return nil
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// Client sends requests to a sandbox and checks every answer against the contracts.
type Client struct {
	T       testing.TB
	BaseURL string
	HTTP    *http.Client
	// Header is sent with every request (e.g. the DCMS tenant).
	Header http.Header
}

// NewClient returns a client for a sandbox at baseURL.
func NewClient(t testing.TB, baseURL string) *Client {
	return &Client{T: t, BaseURL: strings.TrimRight(baseURL, "/"), HTTP: noRedirects, Header: http.Header{}}
}

// noRedirects answers the sandbox's own response: a redirect is checked as the redirect
// the contract documents, not as the page it leads to.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// With returns a copy of c that also sends the given header.
func (c *Client) With(key, value string) *Client {
	cp := *c
	cp.Header = c.Header.Clone()
	cp.Header.Set(key, value)
	return &cp
}

// Response is a checked answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value for assertions.
func (r *Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.Body)
	}
	return v
}

// Decode decodes the body into v.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decoding body: %v\n%s", err, r.Body)
	}
}

// Post sends body (marshalled to JSON unless it is []byte or string) and checks the answer.
func (c *Client) Post(path string, body any, header ...string) *Response {
	c.T.Helper()
	return c.Do(http.MethodPost, path, body, header...)
}

// Get sends a GET and checks the answer.
func (c *Client) Get(path string, header ...string) *Response {
	c.T.Helper()
	return c.Do(http.MethodGet, path, nil, header...)
}

// Do sends a request with extra header key/value pairs and checks the answer.
func (c *Client) Do(method, path string, body any, header ...string) *Response {
	c.T.Helper()
	var data []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		data = b
	case string:
		data = []byte(b)
	default:
		var err error
		if data, err = json.Marshal(b); err != nil {
			c.T.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, c.BaseURL+path, bytes.NewReader(data))
	if err != nil {
		c.T.Fatal(err)
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.Send(req)
}

// Send sends a prepared request and checks the answer.
func (c *Client) Send(req *http.Request) *Response {
	c.T.Helper()
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.T.Fatal(err)
	}
	// The checker reads the request body again for its own routing.
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	Check(c.T, req, resp.StatusCode, resp.Header, body)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// Transport wraps base (nil: http.DefaultTransport) so that every response that passes
// through it is checked against the contracts, failing t otherwise: typed generated
// clients get the same guarantee as Client.
func Transport(t testing.TB, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return checkingTransport{t: t, base: base}
}

type checkingTransport struct {
	t    testing.TB
	base http.RoundTripper
}

func (c checkingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := c.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	checked := req.Clone(req.Context())
	checked.Body = io.NopCloser(bytes.NewReader(reqBody))
	Check(c.t, checked, resp.StatusCode, resp.Header, body)
	return resp, nil
}
