package dmt

import (
	"time"

	"github.com/partnersandbox/sandbox/internal/store"
)

// Record kinds of a DMT client's partition, each registered once with its type.
var (
	kinds        = store.Kinds{}
	kindCustomer = store.Define[Customer](kinds, "customer") // by mobile number
	kindOtp      = store.Define[Otp](kinds, "otp")           // by mobile number and otpType: otpKey
	kindAgent    = store.Define[Agent](kinds, "agent")       // by username
)

// Kinds are the DMT record kinds, for snapshots and stores that encode values.
func Kinds() store.Kinds { return kinds }

// state is where a customer is in onboarding; get-customer answers it.
type state int

const (
	stateNone        state = iota // not onboarded: no record
	stateCreated                  // registered, OTP not verified (code 1)
	stateVerifiedOvd              // verified, OVD verified (code 2)
	stateVerified                 // verified, OVD not verified (code 3)
)

// stateOutcome is get-customer's answer for each state.
var stateOutcome = map[state]string{
	stateNone:        outCustomerNotOnboarded,
	stateCreated:     outCustomerCreated,
	stateVerifiedOvd: outCustomerVerified,
	stateVerified:    outCustomerVerifiedNoOvd,
}

// Customer is a money-transfer customer (remitter) of one client. Stored values are never
// changed: an update stores a modified copy.
type Customer struct {
	Mobile     string
	Name       string
	Address    string
	Pincode    string
	OvdType    string
	OvdData    string // masked: only the last 4 characters are kept
	State      state
	CreatedAt  time.Time
	VerifiedAt time.Time
}

// Otp is the last OTP sent to a mobile number for one otpType.
type Otp struct {
	Mobile    string
	Type      string // "1" registration, "2" transaction
	Code      string `mask:"secret"` // shown to the operator only in snapshots
	SentAt    time.Time
	ExpiresAt time.Time
	Sends     int  // sends since the last successful use
	Used      bool // a registration verified with it
}

// Agent is a partner user (username) onboarded with the client.
type Agent struct {
	Username string `json:"username"`
	Name     string `json:"name"`
}

func otpKey(mobile, otpType string) string { return mobile + "/" + otpType }

// OTP rules (sandbox choices, documented in openapi/dmt.yaml).
const (
	otpLifetime    = 3 * time.Minute
	otpResendAfter = 30 * time.Second
	otpMaxSends    = 5
)

// event is what a registration with valid details does to a customer.
type event int

const (
	evOtpFailed    event = iota // OTP not requested, expired or wrong
	evVerifiedOvd               // right OTP, with an OVD
	evVerifiedNone              // right OTP, no OVD
)

type transition struct {
	next    state
	outcome string // "" keeps the OTP failure's outcome
}

// registration is the onboarding state machine: what a registration does to a customer
// in each state. A verified customer is never downgraded by a failed OTP.
var registration = map[state]map[event]transition{
	stateNone: {
		evOtpFailed:    {stateCreated, ""},
		evVerifiedOvd:  {stateVerifiedOvd, outRegistered},
		evVerifiedNone: {stateVerified, outRegisteredNoOvd},
	},
	stateCreated: {
		evOtpFailed:    {stateCreated, ""},
		evVerifiedOvd:  {stateVerifiedOvd, outRegistered},
		evVerifiedNone: {stateVerified, outRegisteredNoOvd},
	},
	stateVerified: {
		evOtpFailed:    {stateVerified, ""},
		evVerifiedOvd:  {stateVerifiedOvd, outRegistered},
		evVerifiedNone: {stateVerified, outRegisteredNoOvd},
	},
	stateVerifiedOvd: {
		evOtpFailed:    {stateVerifiedOvd, ""},
		evVerifiedOvd:  {stateVerifiedOvd, outRegistered},
		evVerifiedNone: {stateVerifiedOvd, outRegisteredOvdKept},
	},
}
