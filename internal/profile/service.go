package profile

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/internal/webhook"
)

// Service is the profile domain: every state change of submissions, documents, the
// outbox, rate limits and webhooks, each inside one store transaction.
type Service struct {
	store   store.Store
	clock   *clock.Clock
	tenants func(ctx context.Context, api string) ([]string, error)
	cfg     Config
	forms   map[string]Form
	hooks   *webhook.Deliverer
	reviews *reviewJob
	// fixtureDocs are the documented fixtures' documents: shared by every tenant, so not
	// counted against its caps.
	fixtureDocs map[string]bool
}

func partition(tenant string) store.Partition {
	return store.Partition{API: "profile", Tenant: tenant}
}

// NewCustomer is what AddCustomer asks for.
type NewCustomer struct {
	UserType   string
	Email      string
	Mobile     string
	EmployeeID string
	FormID     string
	SendEmail  bool
	Individual *Person
	Legal      *Company
	Plan       string // the automatic review's plan (a review outcome name, "" to approve)
}

// AddCustomer creates a submission and returns its id.
func (s *Service) AddCustomer(ctx context.Context, tenant string, in NewCustomer) (string, error) {
	var id string
	err := s.update(ctx, tenant, func(tx store.Tx, ev *events) error {
		if err := s.checkNewCustomer(tx, in); err != nil {
			return err
		}
		now := s.clock.Now(tenant)
		sub := &Submission{
			ID: newUUID(), FormID: in.FormID, UserType: in.UserType, Email: in.Email, Mobile: in.Mobile,
			EmployeeID: in.EmployeeID, Individual: in.Individual, Legal: in.Legal,
			Status: Pending, Plan: in.Plan, Created: now, Updated: now,
		}
		id = sub.ID
		kindSubmission.Put(tx, sub.ID, sub)
		if in.Plan != planManual && s.cfg.ReviewAfter > 0 {
			kindReviewDue.Put(tx, sub.ID, &reviewDue{At: now.Add(s.cfg.ReviewAfter)})
		}
		if in.SendEmail {
			s.mail(tx, tenant, sub, "welcome", "Welcome to "+s.forms[in.FormID].Name+": complete your onboarding")
		}
		ev.add(tx, sub.ID, "profile.created", map[string]any{"userType": sub.UserType, "customerEmail": sub.Email})
		return nil
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// checkNewCustomer does every check of AddCustomer and reports all problems at once.
func (s *Service) checkNewCustomer(tx store.Reader, in NewCustomer) error {
	var p problems
	add := p.add
	blank := func(field, v string) {
		if strings.TrimSpace(v) == "" {
			add(errInvalid, "%s: must not be empty", field)
		}
	}
	switch in.UserType {
	case Individual:
		if in.Individual == nil {
			add(errInvalid, "individualCustomer: is required when userType is IndividualCustomer")
		} else {
			blank("individualCustomer.firstName", in.Individual.FirstName)
			blank("individualCustomer.lastName", in.Individual.LastName)
		}
		if in.Legal != nil {
			add(errInvalid, "legalEntityCustomer: must be absent when userType is IndividualCustomer")
		}
	case Legal:
		if in.Legal == nil {
			add(errInvalid, "legalEntityCustomer: is required when userType is LegalCustomer")
		} else {
			blank("legalEntityCustomer.fullName", in.Legal.FullName)
			blank("legalEntityCustomer.registrationNumber", in.Legal.RegistrationNumber)
		}
		if in.Individual != nil {
			add(errInvalid, "individualCustomer: must be absent when userType is LegalCustomer")
		}
	default:
		add(errInvalid, "userType: must be one of IndividualCustomer, LegalCustomer")
	}
	if _, ok := kindEmployee.Get(tx, in.EmployeeID); !ok {
		add(errUnknownEmployee, "employeeId: %s is not a known employee (see GetEmployees)", in.EmployeeID)
	}
	if f, ok := s.forms[in.FormID]; !ok {
		add(errUnknownForm, "formId: %s is not a known onboarding form", in.FormID)
	} else if !slices.Contains(f.UserTypes, in.UserType) && (in.UserType == Individual || in.UserType == Legal) {
		add(errUnknownForm, "formId: %s (%s) is not a form for %s", in.FormID, f.Name, in.UserType)
	}
	return p.err()
}

// mail puts a message in the tenant's outbox: the sandbox never sends mail.
func (s *Service) mail(tx store.Tx, tenant string, sub *Submission, kind, subject string) {
	n := nextSeq(tx, kindOutbox.Name())
	id := seqID(n)
	kindOutbox.Put(tx, id, &OutboxMessage{ID: "msg_" + id, Kind: kind, To: sub.Email, Subject: subject,
		SubmissionID: sub.ID, Sent: s.clock.Now(tenant)})
	if n > maxOutbox {
		kindOutbox.Delete(tx, seqID(n-maxOutbox))
	}
}

// maxOutbox bounds each tenant's outbox (oldest dropped first).
const maxOutbox = 500

// Outbox returns the tenant's outbox, oldest first.
func (s *Service) Outbox(ctx context.Context, tenant string) ([]*OutboxMessage, error) {
	var out []*OutboxMessage
	err := s.store.View(ctx, partition(tenant), func(tx store.Reader) error {
		out = out[:0]
		kindOutbox.Scan(tx, func(_ string, v *OutboxMessage) bool {
			out = append(out, v)
			return true
		})
		return nil
	})
	return out, err
}

// ProfileView is a submission with what reports show of it.
type ProfileView struct {
	Submission *Submission
	Form       Form
	Documents  []*Document
}

// Profile returns the profile of a submission of userType (Individual or Legal).
func (s *Service) Profile(ctx context.Context, tenant, id, userType string) (ProfileView, error) {
	var v ProfileView
	err := s.read(ctx, tenant, id, func(tx store.Reader, sub *Submission) error {
		if sub.UserType != userType {
			use := "GetIndividualProfile"
			if sub.UserType == Legal {
				use = "GetLegalProfile"
			}
			return fail(errWrongUserType, "Submission %s is not a%s %s profile; use %s", id, article(userType), userType, use)
		}
		v = ProfileView{Submission: sub, Form: s.forms[sub.FormID], Documents: documentsOf(tx, sub)}
		return nil
	})
	return v, err
}

func article(userType string) string {
	if userType == Individual {
		return "n"
	}
	return ""
}

// Details returns the submission of any user type with its form (GetCustomerDetails).
func (s *Service) Details(ctx context.Context, tenant, id string) (*Submission, Form, error) {
	var sub *Submission
	err := s.read(ctx, tenant, id, func(_ store.Reader, got *Submission) error {
		sub = got
		return nil
	})
	if err != nil {
		return nil, Form{}, err
	}
	return sub, s.forms[sub.FormID], nil
}

// SetCustomerPassword "sends" the customer a set-password link.
func (s *Service) SetCustomerPassword(ctx context.Context, tenant, id, userType string) error {
	err := s.update(ctx, tenant, func(tx store.Tx, ev *events) error {
		sub, err := getSubmission(tx, id)
		if err != nil {
			return err
		}
		if sub.UserType != userType {
			return fail(errUserTypeMismatch, "userType: submission %s is a%s %s, not a%s %s", id, article(sub.UserType), sub.UserType, article(userType), userType)
		}
		next := *sub
		next.Password = s.clock.Now(tenant)
		next.Updated = next.Password
		kindSubmission.Put(tx, id, &next)
		s.mail(tx, tenant, &next, "password", "Set your password for "+s.forms[sub.FormID].Name)
		ev.add(tx, id, "profile.updated", map[string]any{"change": "passwordLinkSent"})
		return nil
	})
	return err
}

// Employees lists the tenant's employees.
func (s *Service) Employees(ctx context.Context, tenant string) ([]*Employee, error) {
	var out []*Employee
	err := s.store.View(ctx, partition(tenant), func(tx store.Reader) error {
		kindEmployee.Scan(tx, func(_ string, v *Employee) bool {
			out = append(out, v)
			return true
		})
		return nil
	})
	slices.SortFunc(out, func(a, b *Employee) int { return strings.Compare(a.Name, b.Name) })
	return out, err
}

// Review moves a submission through review (the admin API). An empty riskLevel takes the
// status's default: Low when Approved, High when Rejected, unchanged when Pending.
func (s *Service) Review(ctx context.Context, tenant, id, status, riskLevel string) (*Submission, error) {
	var out *Submission
	err := s.update(ctx, tenant, func(tx store.Tx, ev *events) error {
		sub, err := getSubmission(tx, id)
		if err != nil {
			return err
		}
		out, err = s.setStatus(tx, ev, sub, status, riskLevel)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// setStatus applies a review decision following the transitions table. The same status
// again only re-assesses the risk. Any decision replaces the automatic review.
func (s *Service) setStatus(tx store.Tx, ev *events, sub *Submission, status, riskLevel string) (*Submission, error) {
	if status != sub.Status && !slices.Contains(transitions[sub.Status], status) {
		return nil, fail(errInvalid, "status: submission %s is %s and cannot become %s directly; allowed: %s", sub.ID, sub.Status, status, strings.Join(transitions[sub.Status], ", "))
	}
	if riskLevel == "" {
		switch {
		case status == sub.Status || status == Pending:
			riskLevel = sub.RiskLevel
		case status == Approved:
			riskLevel = Low
		case status == Rejected:
			riskLevel = High
		}
	}
	kindReviewDue.Delete(tx, sub.ID)
	if status == sub.Status && riskLevel == sub.RiskLevel {
		return sub, nil
	}
	now := s.clock.Now(ev.tenant)
	next := *sub
	next.Status, next.RiskLevel, next.Updated = status, riskLevel, now
	switch {
	case status == Pending:
		next.Completed = time.Time{}
	case status != sub.Status:
		next.Completed = now
	}
	kindSubmission.Put(tx, sub.ID, &next)
	switch {
	case status != sub.Status:
		ev.add(tx, sub.ID, "profile.status_changed", map[string]any{"previousStatus": sub.Status, "status": status, "riskLevel": nullable(riskLevel)})
	case riskLevel != sub.RiskLevel:
		ev.add(tx, sub.ID, "profile.updated", map[string]any{"change": "riskAssessment", "riskLevel": nullable(riskLevel)})
	}
	return &next, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// planDecision is what the automatic review decides for each plan.
var planDecision = map[string]struct{ status, risk string }{
	planApprove: {Approved, Low},
	planReject:  {Rejected, High},
	planMedium:  {Approved, Medium},
}

// applyDue runs the automatic review of sub if it is due; it returns the submission as it
// now stands.
func (s *Service) applyDue(tx store.Tx, ev *events, sub *Submission, now time.Time) *Submission {
	v, ok := kindReviewDue.Get(tx, sub.ID)
	if !ok || now.Before(v.At) {
		return sub
	}
	d, ok := planDecision[sub.Plan]
	if !ok || sub.Status != Pending {
		kindReviewDue.Delete(tx, sub.ID)
		return sub
	}
	next, err := s.setStatus(tx, ev, sub, d.status, d.risk)
	if err != nil { // cannot happen from Pending; keep the submission as it is
		kindReviewDue.Delete(tx, sub.ID)
		return sub
	}
	return next
}

// read runs fn on a submission after applying its automatic review if that is due. Reads
// stay read-only transactions unless a review is due.
func (s *Service) read(ctx context.Context, tenant, id string, fn func(store.Reader, *Submission) error) error {
	now := s.clock.Now(tenant)
	due := false
	err := s.store.View(ctx, partition(tenant), func(tx store.Reader) error {
		sub, err := getSubmission(tx, id)
		if err != nil {
			return err
		}
		if v, ok := kindReviewDue.Get(tx, id); ok && !now.Before(v.At) {
			due = true
			return nil
		}
		return fn(tx, sub)
	})
	if err != nil || !due {
		return err
	}
	err = s.update(ctx, tenant, func(tx store.Tx, ev *events) error {
		sub, err := getSubmission(tx, id)
		if err != nil {
			return err
		}
		return fn(tx, s.applyDue(tx, ev, sub, now))
	})
	return err
}

// update runs fn in a transaction of the tenant's partition with a fresh event list for
// each run (a store may run fn again), and hands the events of the committed run to the
// deliverer.
func (s *Service) update(ctx context.Context, tenant string, fn func(tx store.Tx, ev *events) error) error {
	var ev *events
	err := s.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		ev = s.events(tenant)
		return fn(tx, ev)
	})
	if err == nil {
		ev.send()
	}
	return err
}

func getSubmission(tx store.Reader, id string) (*Submission, error) {
	v, ok := kindSubmission.Get(tx, id)
	if !ok {
		return nil, fail(errSubmissionNotFound, "Submission %s not found", id)
	}
	return v, nil
}

func documentsOf(tx store.Reader, sub *Submission) []*Document {
	out := make([]*Document, 0, len(sub.Documents))
	for _, id := range sub.Documents {
		if v, ok := kindDocument.Get(tx, id); ok {
			out = append(out, v)
		}
	}
	return out
}

// nextSeq returns the next number of a per-tenant counter (1, 2, ...).
func nextSeq(tx store.Tx, name string) int64 {
	var n int64
	if v, ok := kindSeq.Get(tx, name); ok {
		n = v.N
	}
	n++
	kindSeq.Put(tx, name, &counter{N: n})
	return n
}

// seqID renders a counter value so that ids sort in counter order.
func seqID(n int64) string { return fmt.Sprintf("%012d", n) }

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
