// Package token issues and checks the sandbox's HS256 JWTs (DCMS authenticate, profile
// GetAppToken) on the sandbox clock, so moving the clock expires them.
package token

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/partnersandbox/sandbox/internal/clock"
)

// Errors a partner can tell apart in the 401 message.
var (
	ErrMissing   = errors.New("no Bearer token: send Authorization: Bearer <token>")
	ErrMalformed = errors.New("the Bearer token is not a well-formed JWT")
	ErrSignature = errors.New("the Bearer token's signature is not valid (was it issued by this sandbox?)")
	ErrExpired   = errors.New("the Bearer token has expired on the sandbox clock: get a new one")
	ErrAudience  = errors.New("the Bearer token was issued for another API")
)

// Claims are what a sandbox token says.
type Claims struct {
	Subject string // user or appId
	Tenant  string
	API     string // dcms or profile
	Expires time.Time
}

// Signer issues and verifies tokens with one key.
type Signer struct {
	Key   []byte
	Clock *clock.Clock
}

type claims struct {
	Tenant string `json:"tenant"`
	jwt.RegisteredClaims
}

// Issue returns a token for subject in tenant, valid for ttl of the tenant's sandbox time.
func (s *Signer) Issue(api, subject, tenant string, ttl time.Duration) (string, time.Time, error) {
	now := s.Clock.Now(tenant)
	exp := now.Add(ttl)
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		Tenant: tenant,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: "partner-sandbox", Subject: subject, Audience: jwt.ClaimStrings{api},
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(exp),
		},
	})
	signed, err := tok.SignedString(s.Key)
	return signed, exp, err
}

// Verify checks a token for api and returns its claims, or one of the errors above. Expiry
// is judged on the clock of the tenant the token was issued for.
func (s *Signer) Verify(api, raw string) (Claims, error) {
	if raw == "" {
		return Claims{}, ErrMissing
	}
	var c claims
	_, err := jwt.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return s.Key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation())
	if err == nil {
		err = jwt.NewValidator(jwt.WithTimeFunc(func() time.Time { return s.Clock.Now(c.Tenant) }),
			jwt.WithExpirationRequired()).Validate(c)
	}
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenExpired):
		return Claims{}, ErrExpired
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return Claims{}, ErrSignature
	case errors.Is(err, jwt.ErrTokenMalformed):
		return Claims{}, ErrMalformed
	default:
		return Claims{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(c.Audience) != 1 || c.Audience[0] != api {
		return Claims{}, ErrAudience
	}
	return Claims{Subject: c.Subject, Tenant: c.Tenant, API: api, Expires: c.ExpiresAt.Time}, nil
}

// Bearer extracts the token of an Authorization header value ("" if none).
func Bearer(header string) string {
	const prefix = "Bearer "
	if len(header) > len(prefix) && (header[:len(prefix)] == prefix || header[:len(prefix)] == "bearer ") {
		return header[len(prefix):]
	}
	return ""
}
