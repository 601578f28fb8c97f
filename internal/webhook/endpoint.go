// Package webhook delivers a tenant's events to the webhook it configured: a bounded
// queue per tenant kept in the state store (so replicas sharing a store share it, and
// exactly one of them makes each attempt), workers that visit tenants in turn with at most
// one attempt in flight per tenant, retries with backoff, HMAC signing, a delivery log that
// records every event (delivered, failed, refused or dropped), and, in hosted sandboxes, a
// refusal of addresses inside the sandbox's network.
//
// An API keeps what is its own (the events' content, its admin endpoints) and calls
// Enqueue inside the transaction that produced an event, then Wake once it committed.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
)

// Endpoint is a tenant's webhook, as the vendor configures it.
type Endpoint struct {
	URL           string `json:"url"`
	AuthType      string `json:"authType"` // None, ApiKey, Basic
	HeaderName    string `json:"headerName,omitempty"`
	APIKey        string `json:"apiKey,omitempty" mask:"secret"`
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty" mask:"secret"`
	RetryCount    int    `json:"retryCount"`
	RetryInterval int    `json:"retryInterval"` // seconds before the first retry; doubles
	Secret        string `json:"secret" mask:"secret"`
}

// ConfigError lists what is wrong with an endpoint, one problem per field.
type ConfigError struct{ Problems []string }

func (e *ConfigError) Error() string { return strings.Join(e.Problems, "; ") }

// SignatureHeader carries the HMAC-SHA256 of the body keyed with the webhook's secret.
const SignatureHeader = "X-Sandbox-Signature"

// Sign returns the X-Sandbox-Signature value of body.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// check validates an endpoint and fills in its defaults. Unless private addresses are
// allowed, a URL whose host is, or resolves to, an internal address is refused (a name
// that does not resolve now is accepted: every delivery checks the address it dials).
func (e Endpoint) check(ctx context.Context, allowPrivate bool) (Endpoint, error) {
	var problems []string
	u, err := url.Parse(e.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		problems = append(problems, "url: must be an absolute http:// or https:// URL")
	} else if !allowPrivate {
		if why := refuseHost(ctx, u.Hostname()); why != "" {
			problems = append(problems, "url: "+why)
		}
	}
	switch e.AuthType {
	case "None":
		e.HeaderName, e.APIKey, e.Username, e.Password = "", "", "", ""
	case "ApiKey":
		if e.HeaderName == "" || strings.ContainsAny(e.HeaderName, " :\t\r\n") {
			problems = append(problems, "authSettings.headerName: is required for ApiKey and must be a header name")
		}
		if e.APIKey == "" {
			problems = append(problems, "authSettings.apiKey: is required for ApiKey")
		}
		e.Username, e.Password = "", ""
	case "Basic":
		if e.Username == "" || strings.Contains(e.Username, ":") {
			problems = append(problems, "authSettings.username: is required for Basic and must not contain ':'")
		}
		if e.Password == "" {
			problems = append(problems, "authSettings.password: is required for Basic")
		}
		e.HeaderName, e.APIKey = "", ""
	}
	if len(problems) > 0 {
		return e, &ConfigError{Problems: problems}
	}
	if e.Secret == "" {
		e.Secret = "whsec_" + randomHex(24)
	}
	return e, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
