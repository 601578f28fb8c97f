package dmt

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/store"
)

// Service is the DMT domain: every client's agents, customers and OTPs.
type Service struct {
	store store.Store
	clock *clock.Clock
	otp   func() string // the OTP the next send stores
}

// NewService returns the DMT domain over a store; otp draws each new OTP.
func NewService(st store.Store, clk *clock.Clock, otp func() string) *Service {
	return &Service{store: st, clock: clk, otp: otp}
}

func partition(tenant string) store.Partition { return store.Partition{API: "dmt", Tenant: tenant} }

var (
	mobileRe  = regexp.MustCompile(`^[6-9][0-9]{9}$`)
	pincodeRe = regexp.MustCompile(`^[0-9]{6}$`)
	aadhaarRe = regexp.MustCompile(`^[0-9]{12}$`)
	amountRe  = regexp.MustCompile(`^[0-9]+(\.[0-9]{1,2})?$`)
)

// errAnswered stops an Update that found the answer without changing anything.
var errAnswered = errors.New("answered")

func agentKnown(r store.Reader, username string) bool {
	_, ok := kindAgent.Get(r, username)
	return ok
}

// GetCustomer answers get-customer: the customer's onboarding state.
func (s *Service) GetCustomer(ctx context.Context, tenant, mobile, username string) (result, error) {
	if !mobileRe.MatchString(mobile) {
		return answer(outInvalidMobile), nil
	}
	res := answer(outCustomerNotOnboarded)
	err := s.store.View(ctx, partition(tenant), func(tx store.Reader) error {
		if !agentKnown(tx, username) {
			res = answer(outUserNotOnboarded)
			return nil
		}
		if c, ok := kindCustomer.Get(tx, mobile); ok {
			res = result{outcome: stateOutcome[c.State], name: c.Name}
		}
		return nil
	})
	return res, err
}

// CustomerName is the stored name of a customer, "" when there is none.
func (s *Service) CustomerName(ctx context.Context, tenant, mobile string) (string, error) {
	name := ""
	err := s.store.View(ctx, partition(tenant), func(tx store.Reader) error {
		if c, ok := kindCustomer.Get(tx, mobile); ok {
			name = c.Name
		}
		return nil
	})
	return name, err
}

// OtpRequest is an otp/send call.
type OtpRequest struct {
	Mobile, Username, Type, Amount string
}

// SendOtp stores a new OTP for the mobile number and type, within the resend rules.
func (s *Service) SendOtp(ctx context.Context, tenant string, in OtpRequest) (result, error) {
	if !mobileRe.MatchString(in.Mobile) {
		return answer(outInvalidMobile), nil
	}
	transaction := in.Type == "2"
	var res result
	err := s.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		res = answer(outOtpSent)
		fail := func(name string) error { res = answer(name); return errAnswered }
		if !agentKnown(tx, in.Username) {
			return fail(outUserNotOnboarded)
		}
		if transaction {
			if !validAmount(in.Amount) {
				return fail(outInvalidAmount)
			}
			if c, ok := kindCustomer.Get(tx, in.Mobile); !ok || (c.State != stateVerified && c.State != stateVerifiedOvd) {
				return fail(outNotVerified)
			}
		}
		now := s.clock.Now(tenant)
		key := otpKey(in.Mobile, in.Type)
		sends := 1
		if last, ok := kindOtp.Get(tx, key); ok && !last.Used {
			if now.Sub(last.SentAt) < otpResendAfter {
				return fail(outResendTooSoon)
			}
			if last.Sends >= otpMaxSends {
				return fail(outLimitExceeded)
			}
			sends = last.Sends + 1
		}
		kindOtp.Put(tx, key, &Otp{Mobile: in.Mobile, Type: in.Type, Code: s.otp(), SentAt: now, ExpiresAt: now.Add(otpLifetime), Sends: sends})
		return nil
	})
	if errors.Is(err, errAnswered) {
		err = nil
	}
	return res, err
}

func validAmount(s string) bool {
	if !amountRe.MatchString(s) {
		return false
	}
	return strings.Trim(s, "0.") != "" // positive
}

// Registration is a process-customer-registration call.
type Registration struct {
	Mobile, Name, Address, Pincode, OvdType, OvdData, Otp, Username string
}

// Register checks a registration, then verifies its OTP and moves the customer through
// the registration state machine, all in one transaction: two registrations of the same
// mobile number never create two customers.
func (s *Service) Register(ctx context.Context, tenant string, in Registration) (result, error) {
	if !mobileRe.MatchString(in.Mobile) {
		return answer(outInvalidMobile), nil
	}
	var res result
	err := s.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		if problem := checkRegistration(tx, in); problem != "" {
			res = answer(problem)
			return errAnswered
		}
		res = s.register(tx, s.clock.Now(tenant), in)
		return nil
	})
	if errors.Is(err, errAnswered) {
		err = nil
	}
	return res, err
}

// checkRegistration names what is wrong with a registration before its OTP is looked at,
// or "".
func checkRegistration(tx store.Reader, in Registration) string {
	withOvd := in.OvdType != "" || in.OvdData != ""
	switch {
	case !agentKnown(tx, in.Username):
		return outUserNotOnboarded
	case in.Pincode != "" && !pincodeRe.MatchString(in.Pincode):
		return outInvalidPincode
	case withOvd && (in.OvdType == "" || in.OvdData == ""):
		return outOvdIncomplete
	case withOvd && strings.Contains(strings.ToLower(in.OvdType), "aadhaar") && !aadhaarRe.MatchString(in.OvdData):
		return outInvalidOvdData
	}
	return ""
}

// register verifies the registration's OTP and applies the state machine's move.
func (s *Service) register(tx store.Tx, now time.Time, in Registration) result {
	withOvd := in.OvdType != ""
	key := otpKey(in.Mobile, "1")
	sentOtp, sent := kindOtp.Get(tx, key)
	ev, otpProblem := evVerifiedNone, ""
	switch {
	case !sent || sentOtp.Used:
		ev, otpProblem = evOtpFailed, outOtpNotRequested
	case now.After(sentOtp.ExpiresAt):
		ev, otpProblem = evOtpFailed, outOtpExpired
	case in.Otp != sentOtp.Code:
		ev, otpProblem = evOtpFailed, outInvalidOtp
	case withOvd:
		ev = evVerifiedOvd
	}

	c := Customer{Mobile: in.Mobile, CreatedAt: now}
	if old, exists := kindCustomer.Get(tx, in.Mobile); exists {
		c = *old
	}
	t := registration[c.State][ev]
	res := answer(t.outcome)
	if ev == evOtpFailed {
		res = answer(otpProblem)
		if c.State != stateNone && c.State != stateCreated {
			return res // a verified customer keeps everything
		}
	} else {
		used := *sentOtp
		used.Used = true
		kindOtp.Put(tx, key, &used)
		c.VerifiedAt = now
		if withOvd {
			c.OvdType, c.OvdData = in.OvdType, maskOvd(in.OvdData)
		}
	}
	c.State = t.next
	c.Name = in.Name
	if in.Address != "" {
		c.Address = in.Address
	}
	if in.Pincode != "" {
		c.Pincode = in.Pincode
	}
	kindCustomer.Put(tx, c.Mobile, &c)
	return res
}

// maskOvd keeps the last 4 characters of an OVD number: the sandbox needs no more, and
// an Aadhaar number is personal data.
func maskOvd(s string) string {
	if len(s) <= 4 {
		return strings.Repeat("X", len(s))
	}
	return strings.Repeat("X", len(s)-4) + s[len(s)-4:]
}

// LastOtp is the most recent OTP sent to a mobile number, of either type.
func (s *Service) LastOtp(ctx context.Context, tenant, mobile string) (*Otp, error) {
	var last *Otp
	err := s.store.View(ctx, partition(tenant), func(tx store.Reader) error {
		last = nil
		for _, typ := range []string{"1", "2"} {
			if o, ok := kindOtp.Get(tx, otpKey(mobile, typ)); ok {
				if last == nil || o.SentAt.After(last.SentAt) {
					last = o
				}
			}
		}
		return nil
	})
	return last, err
}
