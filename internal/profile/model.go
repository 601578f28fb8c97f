package profile

import (
	"time"

	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/internal/webhook"
)

// Record kinds in a profile partition, each registered once with its type. Values are
// immutable once stored: change a copy.
var (
	kinds          = store.Kinds{}
	kindSubmission = store.Define[Submission](kinds, "submission") // id: submissionId
	kindDocument   = store.Define[Document](kinds, "document")     // id: document id
	kindEmployee   = store.Define[Employee](kinds, "employee")     // id: employee id
	kindReviewDue  = store.Define[reviewDue](kinds, "reviewDue")   // id: submissionId; the automatic reviews still to come
	kindOutbox     = store.Define[OutboxMessage](kinds, "outbox")  // id: sequence number, so Scan is oldest first
	kindLimits     = store.Define[Limits](kinds, "limits")         // id: "config"; absent means the configured defaults
	kindWindow     = store.Define[window](kinds, "window")         // id: rate-limit bucket
	kindSeq        = store.Define[counter](kinds, "seq")           // id: counter name
	kindsWebhook   = webhook.Define(kinds)                         // the webhook, its queue and delivery log
)

// Kinds are the profile record kinds, for snapshots and stores that encode values.
func Kinds() store.Kinds { return kinds }

// User types, entity types, statuses and risk levels, in the contract's words.
const (
	Individual = "IndividualCustomer"
	Legal      = "LegalCustomer"

	Pending  = "Pending"
	Approved = "Approved"
	Rejected = "Rejected"

	Low    = "Low"
	Medium = "Medium"
	High   = "High"
)

// transitions is the review state machine: the statuses each status may move to. A
// decision (Approved, Rejected) is final until the profile is re-opened (→ Pending).
var transitions = map[string][]string{
	Pending:  {Approved, Rejected},
	Approved: {Pending},
	Rejected: {Pending},
}

// Submission is one customer profile: what AddCustomer sent plus its review state.
type Submission struct {
	ID         string    `json:"id"`
	FormID     string    `json:"formId"`
	UserType   string    `json:"userType"`
	Email      string    `json:"customerEmail"`
	Mobile     string    `json:"customerMobileNumber"`
	EmployeeID string    `json:"employeeId"`
	Individual *Person   `json:"individualCustomer,omitempty"`
	Legal      *Company  `json:"legalEntityCustomer,omitempty"`
	Status     string    `json:"status"`
	RiskLevel  string    `json:"riskLevel,omitempty"` // "" until assessed
	Plan       string    `json:"plan,omitempty"`      // the automatic review's plan
	Documents  []string  `json:"documents,omitempty"` // document ids, upload order
	Created    time.Time `json:"createdAt"`
	Updated    time.Time `json:"updatedAt"`
	Completed  time.Time `json:"completedAt,omitzero"` // when Approved or Rejected
	Password   time.Time `json:"passwordLinkSentAt,omitzero"`
}

// Person is an individual customer.
type Person struct {
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

// Company is a legal entity customer.
type Company struct {
	FullName           string `json:"fullName"`
	RegistrationNumber string `json:"registrationNumber"`
	TradingName        string `json:"tradingName"`
}

// Name is the customer's name as reports show it.
func (s *Submission) Name() string {
	if s.Individual != nil {
		return s.Individual.FirstName + " " + s.Individual.LastName
	}
	if s.Legal != nil {
		return s.Legal.FullName
	}
	return ""
}

// EntityType is GetCustomerDetails' entityTypeId.
func (s *Submission) EntityType() string {
	if s.UserType == Legal {
		return "LegalEntity"
	}
	return "Individual"
}

// Progress is onboardingProgress: see the contract's description.
func (s *Submission) Progress() int {
	if s.Status != Pending {
		return 100
	}
	p := 40
	if len(s.Documents) > 0 {
		p += 20
	}
	if !s.Password.IsZero() {
		p += 20
	}
	return p
}

// Document is an uploaded KYC document, content included.
type Document struct {
	ID               string    `json:"id"`
	SubmissionID     string    `json:"submissionId"`
	OriginalFileName string    `json:"originalFileName"`
	Description      string    `json:"description"`
	TypeID           string    `json:"documentTypeId"`
	ContentType      string    `json:"contentType"`
	SHA256           string    `json:"shA256Hash"`
	ExpiryDate       string    `json:"expiryDate,omitempty"`
	Uploaded         time.Time `json:"uploadedAt"`
	Content          []byte    `json:"content"` // base64 in snapshots
}

// FileName is the name the document is stored under.
func (d *Document) FileName() string { return d.ID + "_" + d.OriginalFileName }

// Employee may own profiles (GetEmployees).
type Employee struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Form is an onboarding form.
type Form struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Version   int      `json:"version"`
	UserTypes []string `json:"userTypes"`
}

// OutboxMessage is a mail the sandbox "sent".
type OutboxMessage struct {
	ID           string    `json:"id"`
	Kind         string    `json:"kind"` // welcome, password
	To           string    `json:"to"`
	Subject      string    `json:"subject"`
	SubmissionID string    `json:"submissionId"`
	Sent         time.Time `json:"sentAt"`
}

// Limits are a tenant's rate limits.
type Limits struct {
	Enabled   bool `json:"enabled"`
	Creation  int  `json:"creationPerMinute"`
	Retrieval int  `json:"retrievalPerMinute"`
	Downloads int  `json:"downloadPerMinute"`
}

// window holds the sandbox times of the calls counted in the last minute, oldest first.
type window struct {
	Times []time.Time `json:"times"`
}

// reviewDue is when a submission's automatic review is due.
type reviewDue struct {
	At time.Time `json:"at"`
}

// counter is a per-tenant sequence (outbox ids).
type counter struct {
	N int64 `json:"n"`
}
