package profile

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Error is a documented profile error: a kind from the error table and the message the
// envelope carries (naming the field and what was wrong where there is one).
type Error struct {
	Kind       string
	Message    string
	RetryAfter int      // seconds; rate-limited only
	messages   []string // one per problem, when there are several
}

func (e *Error) Error() string { return e.Kind + ": " + e.Message }

// problems collects every problem of a request, so the answer lists them all at once; the
// first problem's kind is the error's.
type problems struct {
	kind     string
	messages []string
}

func (p *problems) add(kind, format string, args ...any) {
	if p.kind == "" {
		p.kind = kind
	}
	p.messages = append(p.messages, fmt.Sprintf(format, args...))
}

// err is nil when there was no problem.
func (p *problems) err() error {
	if len(p.messages) == 0 {
		return nil
	}
	return &Error{Kind: p.kind, Message: strings.Join(p.messages, "; "), messages: p.messages}
}

// Messages are the envelope's messages: one per problem.
func (e *Error) Messages() []string {
	if len(e.messages) > 0 {
		return e.messages
	}
	return []string{e.Message}
}

// Status is the HTTP status (and the envelope's statusCode) of the error.
func (e *Error) Status() int { return errorTable[e.Kind].status }

func fail(kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

type errorInfo struct {
	status  int
	message string // the message of a forced outcome, and the catalogue's description
}

// Error kinds; each is also the scenario outcome name.
const (
	errInvalid            = "invalid-request"
	errUnknownEmployee    = "unknown-employee"
	errUnknownForm        = "unknown-form"
	errUserTypeMismatch   = "user-type-mismatch"
	errInvalidDocument    = "invalid-document"
	errUnauthorized       = "unauthorized"
	errBadCredentials     = "invalid-credentials"
	errSubmissionNotFound = "submission-not-found"
	errWrongUserType      = "wrong-user-type"
	errDocumentNotFound   = "document-not-found"
	errRateLimited        = "rate-limited"
	errInternal           = "internal-error"
	errUnavailable        = "service-unavailable"
)

// errorTable is the one place profile errors get their status and message. The scenario
// catalogue is built from it; the envelope's statusCode is the status.
var errorTable = map[string]errorInfo{
	errInvalid:            {http.StatusBadRequest, "The request is not valid"},
	errUnknownEmployee:    {http.StatusBadRequest, "employeeId: is not a known employee (see GetEmployees)"},
	errUnknownForm:        {http.StatusBadRequest, "formId: is not a known onboarding form"},
	errUserTypeMismatch:   {http.StatusBadRequest, "userType: does not match the submission's"},
	errInvalidDocument:    {http.StatusBadRequest, "FileContent: the document is too large, empty, expired or not a PDF, JPEG or PNG"},
	errUnauthorized:       {http.StatusUnauthorized, "Authorization: a valid Bearer token from GetAppToken is required"},
	errBadCredentials:     {http.StatusUnauthorized, "Invalid appId, appSecret or tenantId"},
	errSubmissionNotFound: {http.StatusNotFound, "Submission not found"},
	errWrongUserType:      {http.StatusNotFound, "Submission is of the other user type"},
	errDocumentNotFound:   {http.StatusNotFound, "Document not found in the submission"},
	errRateLimited:        {http.StatusTooManyRequests, "Rate limit exceeded; retry after 60 seconds"},
	errInternal:           {http.StatusInternalServerError, "An internal error occurred"},
	errUnavailable:        {http.StatusServiceUnavailable, "The service is temporarily unavailable; try again later"},
}

// code is the outcome code of a status: the profile envelope's statusCode as text.
func code(status int) string { return strconv.Itoa(status) }
