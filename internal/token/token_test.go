package token

import (
	"errors"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/clock"
)

func TestIssueVerify(t *testing.T) {
	clk := &clock.Clock{}
	s := &Signer{Key: []byte("k1"), Clock: clk}
	tok, exp, err := s.Issue("profile", "sandbox_app", "sandbox_tenant", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Verify("profile", tok)
	if err != nil || c.Tenant != "sandbox_tenant" || c.Subject != "sandbox_app" || !c.Expires.Equal(exp.Truncate(time.Second)) {
		t.Fatalf("verify = %+v, %v", c, err)
	}
	if _, err := s.Verify("dcms", tok); !errors.Is(err, ErrAudience) {
		t.Fatalf("other API: %v", err)
	}
	other := &Signer{Key: []byte("k2"), Clock: clk}
	if _, err := other.Verify("profile", tok); !errors.Is(err, ErrSignature) {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := s.Verify("profile", "not.a.jwt"); !errors.Is(err, ErrMalformed) {
		t.Fatalf("malformed: %v", err)
	}
	if _, err := s.Verify("profile", ""); !errors.Is(err, ErrMissing) {
		t.Fatalf("missing: %v", err)
	}
	clk.Advance("", 25*time.Hour)
	if _, err := s.Verify("profile", tok); !errors.Is(err, ErrExpired) {
		t.Fatalf("expired: %v", err)
	}
	if Bearer("Bearer abc") != "abc" || Bearer("Basic abc") != "" {
		t.Fatal("Bearer parsing")
	}
}
