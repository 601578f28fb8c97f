package profile_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/internal/profile"
	"github.com/partnersandbox/sandbox/internal/token"
	"github.com/partnersandbox/sandbox/internal/webhook"
	"github.com/partnersandbox/sandbox/openapi"
)

// The seed 004 request bodies, byte for byte as the vendor documents them.
const (
	seedIndividual = `{
"userType": "IndividualCustomer",
"customerEmail": "johndoe@yopmail.com",
"customerMobileNumber": "",
"employeeId": "3ea657a9-5a05-46f9-9277-d27f2ccd13ea",
"formId": "ffIn3438-63d4-443a-a4af-2336f58d1112",
"sendEmail": true,
"individualCustomer": {
"firstName": "John",
"lastName": "Doe"
}
}`
	seedLegal = `{
"userType": "LegalCustomer",
"customerEmail": "company@yopmail.com",
"customerMobileNumber": "",
"employeeId": "3ea657a9-5a05-46f9-9277-d27f2ccd13ea",
"formId": "ffIn3438-63d4-443a-a4af-2336f58d1112",
"sendEmail": true,
"legalEntityCustomer": {
"fullName": "Company Name Ltd",
"registrationNumber": "12345",
"tradingName": "Trading Name"
}
}`
	seedSetPassword = `{
"userType": "IndividualCustomer",
"submissionId": "ab98babe-b555-4b79-88bf-967f454df0c0"
}`
	seedEmployee = "3ea657a9-5a05-46f9-9277-d27f2ccd13ea"
	seedForm     = "ffIn3438-63d4-443a-a4af-2336f58d1112"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

type sandbox struct {
	app *app.App
	c   *contracttest.Client // no credentials: the admin API and GetAppToken
}

func newSandbox(t *testing.T, configure ...func(*app.Config)) *sandbox {
	t.Helper()
	sb, c := contracttest.Start(t, configure...)
	return &sandbox{app: sb, c: c}
}

// as returns a client carrying a fresh token of tenant.
func (s *sandbox) as(t *testing.T, tenant string) *contracttest.Client {
	t.Helper()
	r := s.c.Post("/api/AppSessionManager/GetAppToken", map[string]string{"appId": "sandbox_app", "appSecret": "sandbox_secret", "tenantId": tenant})
	if r.Status != 200 {
		t.Fatalf("GetAppToken: %d %s", r.Status, r.Body)
	}
	var tok struct {
		Result struct{ Token, ExpiresAt string }
	}
	r.Decode(t, &tok)
	return s.c.With("Authorization", "Bearer "+tok.Result.Token)
}

func (s *sandbox) advance(t *testing.T, d string) {
	t.Helper()
	if r := s.c.Post("/__sandbox/clock", map[string]string{"advance": d}); r.Status != 200 {
		t.Fatalf("advance clock: %d %s", r.Status, r.Body)
	}
}

// envelope is the profile API's answer.
type envelope struct {
	Version    *string         `json:"version"`
	StatusCode int             `json:"statusCode"`
	Messages   []string        `json:"messages"`
	Result     json.RawMessage `json:"result"`
}

func decode(t *testing.T, r *contracttest.Response) envelope {
	t.Helper()
	var e envelope
	r.Decode(t, &e)
	return e
}

// expect checks status and that the envelope's statusCode and messages say so.
func expect(t *testing.T, r *contracttest.Response, status int, messageLike ...string) envelope {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	e := decode(t, r)
	if status != 200 && e.StatusCode != status {
		t.Fatalf("statusCode %d, want %d", e.StatusCode, status)
	}
	all := strings.Join(e.Messages, " | ")
	for _, want := range messageLike {
		if !strings.Contains(all, want) {
			t.Errorf("messages %q do not mention %q", all, want)
		}
	}
	return e
}

func addCustomer(t *testing.T, c *contracttest.Client, body any, header ...string) string {
	t.Helper()
	e := expect(t, c.Post("/ExtCustomerManagement/AddCustomer", body, header...), 200)
	var res struct{ SubmissionId string }
	if err := json.Unmarshal(e.Result, &res); err != nil {
		t.Fatal(err)
	}
	if !uuidPattern.MatchString(res.SubmissionId) {
		t.Fatalf("submissionId %q is not a UUID", res.SubmissionId)
	}
	return res.SubmissionId
}

func individual(email, first, last string) map[string]any {
	return map[string]any{"userType": "IndividualCustomer", "customerEmail": email, "employeeId": seedEmployee,
		"formId": seedForm, "sendEmail": false, "individualCustomer": map[string]string{"firstName": first, "lastName": last}}
}

type customerDetails struct {
	FormId, FormName, EntityTypeId, AccountStatusId string
	RiskLevelId                                     *string
	OnboardingProgress                              int
	OnboardingStarted                               string
	OnboardingCompleted                             *string
}

func details(t *testing.T, c *contracttest.Client, id string) customerDetails {
	t.Helper()
	e := expect(t, c.Get("/ExtCustomerManagement/GetCustomerDetails/"+id), 200)
	var d customerDetails
	if err := json.Unmarshal(e.Result, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// upload sends a multipart UploadDocument; fileType "" sends the file part without a
// Content-Type header.
func upload(c *contracttest.Client, id, name, docType, fileType, expiry string, content []byte) *contracttest.Response {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("OriginalFileName", name)
	_ = w.WriteField("DocumentTypeId", docType)
	_ = w.WriteField("Description", "Passport photo page")
	if expiry != "" {
		_ = w.WriteField("ExpiryDate", expiry)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="FileContent"; filename=%q`, name))
	if fileType != "" {
		h.Set("Content-Type", fileType)
	}
	part, _ := w.CreatePart(h)
	_, _ = part.Write(content)
	_ = w.Close()
	return c.Post("/ExtForm/submissions/"+id+"/documents", buf.Bytes(), "Content-Type", w.FormDataContentType())
}

// pdfBytes is a small file that really is a PDF by its bytes.
var pdfBytes = []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

// hook is a test webhook receiver that checks every signature.
type hook struct {
	srv    *httptest.Server
	secret string
	mu     sync.Mutex
	events []profileEvent
	bad    []string
	got    chan profileEvent
	fail   int // answer 500 to this many attempts first
	header http.Header
}

type profileEvent struct {
	ID, Type, TenantId, SubmissionId, OccurredAt string
	Data                                         map[string]any
	raw                                          []byte
}

func newHook(t *testing.T, secret string) *hook {
	h := &hook{secret: secret, got: make(chan profileEvent, 100)}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.header = r.Header.Clone()
		if r.Header.Get(webhook.SignatureHeader) != webhook.Sign(h.secret, body) {
			h.bad = append(h.bad, string(body))
		}
		if h.fail > 0 {
			h.fail--
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		var ev profileEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			h.bad = append(h.bad, "not JSON: "+string(body))
		}
		ev.raw = body
		if r.Header.Get("X-Sandbox-Event") != ev.Type {
			h.bad = append(h.bad, "X-Sandbox-Event "+r.Header.Get("X-Sandbox-Event")+" for "+ev.Type)
		}
		h.events = append(h.events, ev)
		h.got <- ev
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// wait returns the next event of type typ, skipping others; it fails after a few seconds.
func (h *hook) wait(t *testing.T, typ string) profileEvent {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev := <-h.got:
			if ev.Type == typ {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %s webhook arrived", typ)
		}
	}
}

func (h *hook) register(t *testing.T, s *sandbox, tenant string, extra map[string]any) {
	t.Helper()
	body := map[string]any{"url": h.srv.URL + "/hooks", "authType": "None", "retryCount": 3, "retryInterval": 0, "secret": h.secret}
	for k, v := range extra {
		body[k] = v
	}
	if r := s.c.Do("PUT", "/__sandbox/tenants/"+tenant+"/webhook", body); r.Status != 200 {
		t.Fatalf("register webhook: %d %s", r.Status, r.Body)
	}
}

// webhookSchema validates the events the sandbox sends against the contract.
func webhookSchema(t *testing.T) *openapi3.Schema {
	t.Helper()
	doc, err := openapi.Load("profile")
	if err != nil {
		t.Fatal(err)
	}
	return doc.Components.Schemas["WebhookEvent"].Value
}

func checkEvent(t *testing.T, schema *openapi3.Schema, ev profileEvent) {
	t.Helper()
	var v any
	if err := json.Unmarshal(ev.raw, &v); err != nil {
		t.Fatal(err)
	}
	if err := schema.VisitJSON(v); err != nil {
		t.Errorf("webhook %s breaks the WebhookEvent schema: %v\n%s", ev.Type, err, ev.raw)
	}
}

func TestSeed004BodiesVerbatim(t *testing.T) {
	s := newSandbox(t)
	c := s.as(t, "sandbox_tenant")

	addCustomer(t, c, seedIndividual)
	legal := addCustomer(t, c, seedLegal)
	e := expect(t, c.Get("/ExtReport/GetLegalProfile/"+legal), 200)
	if e.StatusCode != 0 || e.Messages != nil {
		t.Fatalf("profile reads answer statusCode 0 and messages null as the seed shows: %+v", e)
	}

	e = expect(t, c.Post("/ExtCustomerManagement/SetCustomerPassword", seedSetPassword), 200)
	if e.StatusCode != 200 || len(e.Messages) != 1 || e.Messages[0] != "Processed successfully" || string(e.Result) != "null" {
		t.Fatalf("SetCustomerPassword envelope: %+v %s", e, e.Result)
	}

	e = expect(t, c.Get("/ExtCustomerManagement/GetEmployees"), 200)
	var emps []struct{ Id, Name string }
	_ = json.Unmarshal(e.Result, &emps)
	found := false
	for _, emp := range emps {
		found = found || (emp.Id == seedEmployee && emp.Name == "Employee Name")
	}
	if !found || e.StatusCode != 200 || e.Messages[0] != "Processed successfully" {
		t.Fatalf("GetEmployees lacks the seed's employee: %s", e.Result)
	}

	// The welcome mails of both profiles and the password link are in the outbox.
	var box struct {
		Messages []struct{ Kind, To, SubmissionId string }
	}
	s.c.Get("/__sandbox/tenants/sandbox_tenant/outbox").Decode(t, &box)
	var kinds []string
	for _, m := range box.Messages {
		kinds = append(kinds, m.Kind+":"+m.To)
	}
	if got := strings.Join(kinds, ","); got != "welcome:johndoe@yopmail.com,welcome:company@yopmail.com,password:johndoe@yopmail.com" {
		t.Fatalf("outbox: %s", got)
	}
}

// TestFlow is the issue's flow: token, profile, documents, PDF, review, details, webhook.
func TestFlow(t *testing.T) {
	s := newSandbox(t)
	h := newHook(t, "flow-secret")
	h.register(t, s, "flow_tenant", nil)
	schema := webhookSchema(t)
	c := s.as(t, "flow_tenant")

	id := addCustomer(t, c, seedIndividual)
	created := h.wait(t, "profile.created")
	if created.SubmissionId != id || created.TenantId != "flow_tenant" || created.Data["userType"] != "IndividualCustomer" {
		t.Fatalf("profile.created: %+v", created)
	}

	// A new profile: Pending, not assessed, no documents.
	e := expect(t, c.Get("/ExtReport/GetIndividualProfile/"+id), 200)
	var p struct {
		Form           struct{ Id, Name string }
		Submission     struct{ Id, Status, UserType, CustomerEmail string }
		Answers        []struct{ QuestionId, Answer string }
		RiskAssessment struct {
			RiskLevel *string
			Score     *int
		}
		Documents []struct{ Id, ShA256Hash string }
	}
	_ = json.Unmarshal(e.Result, &p)
	if p.Submission.Id != id || p.Submission.Status != "Pending" || p.Form.Id != seedForm || p.RiskAssessment.RiskLevel != nil || len(p.Documents) != 0 {
		t.Fatalf("new profile: %s", e.Result)
	}
	if len(p.Answers) < 3 || p.Answers[0].Answer != "John" || p.Answers[1].Answer != "Doe" {
		t.Fatalf("answers: %s", e.Result)
	}

	// Upload, list, download the exact bytes.
	content := append(append([]byte{}, pdfBytes...), bytes.Repeat([]byte{0xff, 0x00, 0x7f}, 1000)...)
	sum := sha256.Sum256(content)
	e = expect(t, upload(c, id, "passport.pdf", "Passport", "application/pdf", "2099-08-14", content), 200)
	var doc struct {
		Id, FileName, OriginalFileName, ContentType, ShA256Hash, DocumentTypeId string
		FileSizeInBytes                                                         int
		ExpiryDate                                                              *string
	}
	_ = json.Unmarshal(e.Result, &doc)
	if doc.FileSizeInBytes != len(content) || doc.ShA256Hash != hex.EncodeToString(sum[:]) || doc.ContentType != "application/pdf" ||
		doc.OriginalFileName != "passport.pdf" || doc.FileName != doc.Id+"_passport.pdf" || doc.ExpiryDate == nil || *doc.ExpiryDate != "2099-08-14" {
		t.Fatalf("uploaded document: %s", e.Result)
	}
	if ev := h.wait(t, "document.added"); ev.Data["documentId"] != doc.Id || ev.Data["documentTypeId"] != "Passport" {
		t.Fatalf("document.added: %+v", ev)
	}
	// A PNG sent as application/octet-stream is recognised from its bytes.
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 64)...)
	e = expect(t, upload(c, id, "bill.png", "ProofofAddress", "application/octet-stream", "", png), 200)
	var doc2 struct{ Id, ContentType string }
	_ = json.Unmarshal(e.Result, &doc2)
	if doc2.ContentType != "image/png" {
		t.Fatalf("sniffed content type: %s", e.Result)
	}

	e = expect(t, c.Get("/ExtForm/submissions/"+id+"/documents"), 200)
	var list []struct {
		Id, ContentType, ShA256Hash string
		FileSizeInBytes             int
	}
	_ = json.Unmarshal(e.Result, &list)
	if len(list) != 2 || list[0].Id != doc.Id || list[0].FileSizeInBytes != len(content) || list[0].ShA256Hash != doc.ShA256Hash || list[1].ContentType != "image/png" {
		t.Fatalf("document list: %s", e.Result)
	}
	r := c.Get("/ExtForm/submissions/" + id + "/documents/" + doc.Id + "/download")
	if r.Status != 200 || !bytes.Equal(r.Body, content) || r.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(r.Header.Get("Content-Disposition"), "passport.pdf") {
		t.Fatalf("download: %d %v (%d bytes)", r.Status, r.Header, len(r.Body))
	}
	r = c.Get("/ExtForm/submissions/" + id + "/documents/" + doc2.Id + "/download")
	if r.Status != 200 || !bytes.Equal(r.Body, png) || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("download png: %d %v", r.Status, r.Header)
	}

	// The profile shows the documents; deleting one leaves the other.
	e = expect(t, c.Get("/ExtReport/GetIndividualProfile/"+id), 200)
	_ = json.Unmarshal(e.Result, &p)
	if len(p.Documents) != 2 || p.Documents[0].ShA256Hash != doc.ShA256Hash {
		t.Fatalf("profile documents: %s", e.Result)
	}
	e = expect(t, c.Do("DELETE", "/ExtForm/submissions/"+id+"/documents?ids="+doc2.Id, nil), 200)
	if string(e.Result) != `"Deleted 1 documents"` {
		t.Fatalf("delete: %s", e.Result)
	}
	if ev := h.wait(t, "document.deleted"); ev.Data["documentId"] != doc2.Id {
		t.Fatalf("document.deleted: %+v", ev)
	}
	expect(t, c.Get("/ExtForm/submissions/"+id+"/documents/"+doc2.Id+"/download"), 404, "Document "+doc2.Id+" not found")

	// The PDF is a real PDF of the profile as it stands.
	r = c.Get("/ExtReport/DownloadIndividualProfilePagePdf/" + id)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("pdf: %d %v", r.Status, r.Header)
	}
	checkPDF(t, r.Body, "John Doe", "passport.pdf", "Pending")

	// Approve through the admin API; the details and the webhook say so.
	r = s.c.Post("/__sandbox/profile/submissions/"+id+"/review", map[string]string{"status": "Approved", "riskLevel": "Medium"})
	if r.Status != 200 || r.JSON(t)["tenant"] != "flow_tenant" || r.JSON(t)["status"] != "Approved" {
		t.Fatalf("review: %d %s", r.Status, r.Body)
	}
	d := details(t, c, id)
	if d.AccountStatusId != "Approved" || d.RiskLevelId == nil || *d.RiskLevelId != "Medium" || d.OnboardingProgress != 100 ||
		d.OnboardingCompleted == nil || d.EntityTypeId != "Individual" || d.FormName != "Customer Onboarding" {
		t.Fatalf("details after approval: %+v", d)
	}
	ev := h.wait(t, "profile.status_changed")
	if ev.Data["previousStatus"] != "Pending" || ev.Data["status"] != "Approved" || ev.Data["riskLevel"] != "Medium" || ev.SubmissionId != id {
		t.Fatalf("profile.status_changed: %+v", ev)
	}
	checkPDF(t, c.Get("/ExtReport/DownloadIndividualProfilePagePdf/"+id).Body, "Approved", "Medium")

	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.bad) > 0 {
		t.Fatalf("webhooks with a bad signature or shape: %q", h.bad)
	}
	for _, ev := range h.events {
		checkEvent(t, schema, ev)
	}
	if h.header.Get("X-Sandbox-Delivery") == "" || h.header.Get("Content-Type") != "application/json" {
		t.Fatalf("webhook headers: %v", h.header)
	}
}

// checkPDF parses the file's structure: header, cross-reference table where startxref says,
// trailer, %%EOF, a page, and the given texts in its (uncompressed) content.
func checkPDF(t *testing.T, pdf []byte, texts ...string) {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.")) {
		t.Fatalf("no PDF header: %q", pdf[:min(len(pdf), 20)])
	}
	if !bytes.HasSuffix(bytes.TrimRight(pdf, "\r\n"), []byte("%%EOF")) {
		t.Fatal("no end-of-file marker at the end")
	}
	i := bytes.LastIndex(pdf, []byte("startxref"))
	if i < 0 {
		t.Fatal("no startxref")
	}
	fields := strings.Fields(string(pdf[i+len("startxref"):]))
	off, err := strconv.Atoi(fields[0])
	if err != nil || off <= 0 || off >= len(pdf) || !bytes.HasPrefix(pdf[off:], []byte("xref")) {
		t.Fatalf("startxref %q does not point at the xref table", fields[0])
	}
	if !bytes.Contains(pdf, []byte("/Type /Page")) || !bytes.Contains(pdf, []byte("trailer")) {
		t.Fatal("no page or no trailer")
	}
	for _, s := range texts {
		if !bytes.Contains(pdf, []byte("("+s)) && !bytes.Contains(pdf, []byte(s)) {
			t.Errorf("the PDF does not show %q", s)
		}
	}
}

func TestRateLimits(t *testing.T) {
	s := newSandbox(t)
	c := s.as(t, "limits_tenant")
	for i := range 10 {
		addCustomer(t, c, individual(fmt.Sprintf("c%d@example.com", i), "Ada", "Lovelace"))
	}
	r := c.Post("/ExtCustomerManagement/AddCustomer", individual("c10@example.com", "Ada", "Lovelace"))
	expect(t, r, 429, "profile creation (10 requests per minute)")
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 60 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	// Other tenants have their own limits.
	addCustomer(t, s.as(t, "other_tenant"), individual("x@example.com", "Ada", "Lovelace"))

	s.advance(t, "1m")
	addCustomer(t, c, individual("c11@example.com", "Ada", "Lovelace"))

	// The admin API changes and disables limits.
	lim := map[string]any{"enabled": true, "creationPerMinute": 10, "retrievalPerMinute": 60, "downloadPerMinute": 2}
	if r := s.c.Do("PUT", "/__sandbox/tenants/limits_tenant/ratelimits", lim); r.Status != 200 {
		t.Fatalf("set limits: %d %s", r.Status, r.Body)
	}
	id := addCustomer(t, s.as(t, "other_tenant"), individual("y@example.com", "Ada", "Lovelace")) // other tenant keeps 10/min
	_ = id
	sub := addCustomer(t, c, individual("d@example.com", "Ada", "Lovelace"))
	doc := struct{ Id string }{}
	json.Unmarshal(expect(t, upload(c, sub, "p.pdf", "Passport", "application/pdf", "", pdfBytes), 200).Result, &doc)
	path := "/ExtForm/submissions/" + sub + "/documents/" + doc.Id + "/download"
	c.Get(path)
	c.Get(path)
	expect(t, c.Get(path), 429, "document downloads (2 requests per minute)")

	lim["enabled"] = false
	s.c.Do("PUT", "/__sandbox/tenants/limits_tenant/ratelimits", lim)
	for range 3 {
		if r := c.Get(path); r.Status != 200 {
			t.Fatalf("disabled limits still limit: %d %s", r.Status, r.Body)
		}
	}
	if got := s.c.Get("/__sandbox/tenants/limits_tenant/ratelimits").JSON(t); got["enabled"] != false || got["downloadPerMinute"] != float64(2) {
		t.Fatalf("limits read back: %v", got)
	}
	if got := s.c.Get("/__sandbox/tenants/fresh/ratelimits").JSON(t); got["enabled"] != true || got["creationPerMinute"] != float64(10) || got["retrievalPerMinute"] != float64(60) || got["downloadPerMinute"] != float64(30) {
		t.Fatalf("default limits: %v", got)
	}
}

func TestRetrievalLimitCountsProfilesDetailsAndPDFs(t *testing.T) {
	s := newSandbox(t)
	c := s.as(t, "sandbox_tenant")
	s.c.Do("PUT", "/__sandbox/tenants/sandbox_tenant/ratelimits", map[string]any{"enabled": true, "creationPerMinute": 10, "retrievalPerMinute": 3, "downloadPerMinute": 30})
	const john = "ab98babe-b555-4b79-88bf-967f454df0c0"
	expect(t, c.Get("/ExtReport/GetIndividualProfile/"+john), 200)
	expect(t, c.Get("/ExtCustomerManagement/GetCustomerDetails/"+john), 200)
	if r := c.Get("/ExtReport/DownloadIndividualProfilePagePdf/" + john); r.Status != 200 {
		t.Fatalf("pdf: %d", r.Status)
	}
	expect(t, c.Get("/ExtCustomerManagement/GetCustomerDetails/"+john), 429, "profile retrieval (3 requests per minute)")
	// Not rate limited: listing documents and employees.
	expect(t, c.Get("/ExtForm/submissions/"+john+"/documents"), 200)
	expect(t, c.Get("/ExtCustomerManagement/GetEmployees"), 200)
}

func TestAuth(t *testing.T) {
	s := newSandbox(t)
	good := s.as(t, "sandbox_tenant")
	other := &token.Signer{Key: []byte("not the sandbox key"), Clock: s.app.Clock}
	forged, _, _ := other.Issue("profile", "sandbox_app", "sandbox_tenant", time.Hour)
	cases := []struct {
		name, auth, want string
	}{
		{"missing", "", "no Bearer token"},
		{"not bearer", "Basic c2FuZGJveDpzZWNyZXQ=", "expected \"Bearer <token>\""},
		{"malformed", "Bearer not-a-jwt", "not a well-formed JWT"},
		{"bad signature", "Bearer " + forged, "signature is not valid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := s.c
			if tc.auth != "" {
				c = c.With("Authorization", tc.auth)
			}
			expect(t, c.Get("/ExtCustomerManagement/GetEmployees"), 401, "Authorization: ", tc.want)
		})
	}
	if r := s.c.Get("/ExtCustomerManagement/GetEmployees"); !strings.Contains(string(r.Body), "Bearer <token>") {
		t.Fatalf("the 401 message is not readable as sent: %s", r.Body)
	}
	expect(t, good.Get("/ExtCustomerManagement/GetEmployees"), 200)
	s.advance(t, "24h1s")
	expect(t, good.Get("/ExtCustomerManagement/GetEmployees"), 401, "expired")

	bad := []struct {
		body   map[string]string
		status int
		want   string
	}{
		{map[string]string{"appId": "sandbox_app", "appSecret": "wrong", "tenantId": "sandbox_tenant"}, 401, "Invalid appId, appSecret or tenantId"},
		{map[string]string{"appId": "nope", "appSecret": "sandbox_secret", "tenantId": "sandbox_tenant"}, 401, "Invalid appId"},
		{map[string]string{"appId": "sandbox_app", "appSecret": "sandbox_secret", "tenantId": "has space"}, 400, "tenantId:"},
		{map[string]string{"appId": "sandbox_app", "appSecret": "sandbox_secret"}, 400, "tenantId: is required"},
	}
	for _, b := range bad {
		expect(t, s.c.Post("/api/AppSessionManager/GetAppToken", b.body), b.status, b.want)
	}

	// Journal: the failed call is filed as the unauthorized outcome.
	var j struct {
		Entries []struct{ OperationId, Outcome string }
	}
	s.c.Get("/__sandbox/journal?api=profile&operationId=getEmployees&limit=1").Decode(t, &j)
	if len(j.Entries) != 1 || j.Entries[0].Outcome != "unauthorized" {
		t.Fatalf("journal: %+v", j.Entries)
	}
}

func TestTenantsArePartitioned(t *testing.T) {
	s := newSandbox(t)
	a, b := s.as(t, "tenant_a"), s.as(t, "tenant_b")
	id := addCustomer(t, a, seedIndividual)
	expect(t, a.Get("/ExtCustomerManagement/GetCustomerDetails/"+id), 200)
	expect(t, b.Get("/ExtCustomerManagement/GetCustomerDetails/"+id), 404, "Submission "+id+" not found")
	// Both start with the seed's profiles.
	expect(t, b.Get("/ExtReport/GetLegalProfile/5c0e7a1d-93f4-4b8e-a2d6-1e7b9c3f8a40"), 200)
}

func TestAddCustomerErrors(t *testing.T) {
	s := newSandbox(t)
	c := s.as(t, "sandbox_tenant")
	with := func(change func(m map[string]any)) map[string]any {
		m := individual("a@example.com", "Ada", "Lovelace")
		change(m)
		return m
	}
	cases := []struct {
		name string
		body any
		want []string
	}{
		{"no individualCustomer", with(func(m map[string]any) { delete(m, "individualCustomer") }), []string{"individualCustomer: is required when userType is IndividualCustomer"}},
		{"legal without legalEntityCustomer", with(func(m map[string]any) { m["userType"] = "LegalCustomer" }),
			[]string{"legalEntityCustomer: is required when userType is LegalCustomer", "individualCustomer: must be absent"}},
		{"unknown employee and form", with(func(m map[string]any) { m["employeeId"] = "nobody"; m["formId"] = "ffIn0000" }),
			[]string{"employeeId: nobody is not a known employee", "formId: ffIn0000 is not a known onboarding form"}},
		{"corporate form for an individual", with(func(m map[string]any) { m["formId"] = "ffLe7a21-5c0e-4b8e-a2d6-1e7b9c3f8a40" }), []string{"is not a form for IndividualCustomer"}},
		{"blank name", with(func(m map[string]any) { m["individualCustomer"] = map[string]string{"firstName": " ", "lastName": "X"} }), []string{"individualCustomer.firstName: must not be empty"}},
		{"missing email", with(func(m map[string]any) { delete(m, "customerEmail") }), []string{"customerEmail: is required"}},
		{"bad userType", with(func(m map[string]any) { m["userType"] = "Robot" }), []string{"userType: must be one of IndividualCustomer, LegalCustomer"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, c.Post("/ExtCustomerManagement/AddCustomer", tc.body), 400, tc.want...)
		})
	}
	// Nothing was written: the outbox is empty and the only profiles are the fixtures'.
	var box struct{ Messages []any }
	s.c.Get("/__sandbox/tenants/sandbox_tenant/outbox").Decode(t, &box)
	if len(box.Messages) != 0 {
		t.Fatalf("outbox after failed calls: %+v", box)
	}
}

func TestNotFoundAndWrongUserType(t *testing.T) {
	s := newSandbox(t)
	c := s.as(t, "sandbox_tenant")
	const john, company = "ab98babe-b555-4b79-88bf-967f454df0c0", "5c0e7a1d-93f4-4b8e-a2d6-1e7b9c3f8a40"
	expect(t, c.Get("/ExtReport/GetLegalProfile/"+john), 404, "is not a LegalCustomer profile; use GetIndividualProfile")
	expect(t, c.Get("/ExtReport/GetIndividualProfile/"+company), 404, "is not an IndividualCustomer profile; use GetLegalProfile")
	expect(t, c.Get("/ExtReport/DownloadLegalProfilePagePdf/"+john), 404, "not a LegalCustomer profile")
	expect(t, c.Get("/ExtReport/GetIndividualProfile/nope"), 404, "Submission nope not found")
	expect(t, c.Get("/ExtCustomerManagement/GetCustomerDetails/nope"), 404, "Submission nope not found")
	expect(t, c.Post("/ExtCustomerManagement/SetCustomerPassword", map[string]string{"userType": "LegalCustomer", "submissionId": john}), 400,
		"userType: submission "+john+" is an IndividualCustomer, not a LegalCustomer")
	expect(t, c.Post("/ExtCustomerManagement/SetCustomerPassword", map[string]string{"userType": "LegalCustomer", "submissionId": "nope"}), 404, "Submission nope not found")
	// The legal PDF of the legal fixture is a PDF with the company's name.
	r := c.Get("/ExtReport/DownloadLegalProfilePagePdf/" + company)
	if r.Status != 200 {
		t.Fatalf("legal pdf: %d", r.Status)
	}
	checkPDF(t, r.Body, "Company Name Ltd", "Registration number", "Not assessed yet")
}

func TestDocumentErrors(t *testing.T) {
	s := newSandbox(t)
	c := s.as(t, "sandbox_tenant")
	const john = "ab98babe-b555-4b79-88bf-967f454df0c0"
	big := append(append([]byte{}, pdfBytes...), make([]byte, profile.MaxDocumentSize)...)
	cases := []struct {
		name                             string
		docType, fileType, expiry, fname string
		content                          []byte
		want                             string
	}{
		{"too large", "Passport", "application/pdf", "", "p.pdf", big, fmt.Sprintf("FileContent: %d bytes is larger than the 5242880-byte (5 MiB) limit", len(big))},
		{"empty", "Passport", "application/pdf", "", "p.pdf", nil, "FileContent: the file is empty"},
		{"text file", "Passport", "text/plain", "", "p.txt", []byte("hello"), "FileContent: content type text/plain is not accepted"},
		{"sniffed text", "Passport", "", "", "p.bin", []byte("hello"), "FileContent: content type text/plain is not accepted"},
		{"unknown type", "DrivingLicence", "application/pdf", "", "p.pdf", pdfBytes, "DocumentTypeId"},
		{"date format", "Passport", "application/pdf", "14/08/2031", "p.pdf", pdfBytes, "ExpiryDate"},
		{"no such date", "Passport", "application/pdf", "2031-02-30", "p.pdf", pdfBytes, "ExpiryDate: 2031-02-30 is not a date in the form YYYY-MM-DD"},
		{"expired", "Passport", "application/pdf", "2020-01-01", "p.pdf", pdfBytes, "ExpiryDate: 2020-01-01 is before today"},
		{"no name", "Passport", "application/pdf", "", "", pdfBytes, "OriginalFileName"},
		{"path in name", "Passport", "application/pdf", "", "../etc/p.pdf", pdfBytes, "OriginalFileName: must be a plain file name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, upload(c, john, tc.fname, tc.docType, tc.fileType, tc.expiry, tc.content), 400, tc.want)
		})
	}
	expect(t, upload(c, "nope", "p.pdf", "Passport", "application/pdf", "", pdfBytes), 404, "Submission nope not found")
	expect(t, c.Get("/ExtForm/submissions/nope/documents"), 404)
	expect(t, c.Get("/ExtForm/submissions/"+john+"/documents/nope/download"), 404, "Document nope not found in submission "+john)

	// Delete is all or nothing.
	var doc struct{ Id string }
	json.Unmarshal(expect(t, upload(c, john, "p.pdf", "Passport", "", "", pdfBytes), 200).Result, &doc)
	expect(t, c.Do("DELETE", "/ExtForm/submissions/"+john+"/documents?ids="+doc.Id+"&ids=nope", nil), 404, "Document nope not found", "nothing was deleted")
	if r := c.Get("/ExtForm/submissions/" + john + "/documents/" + doc.Id + "/download"); r.Status != 200 {
		t.Fatalf("a failed delete deleted %s: %d", doc.Id, r.Status)
	}
	expect(t, c.Do("DELETE", "/ExtForm/submissions/"+john+"/documents", nil), 400, "ids")
	e := expect(t, c.Do("DELETE", "/ExtForm/submissions/"+john+"/documents?ids="+doc.Id+"&ids="+doc.Id, nil), 200)
	if string(e.Result) != `"Deleted 1 documents"` {
		t.Fatalf("delete: %s", e.Result)
	}
}

func TestAutomaticReview(t *testing.T) {
	s := newSandbox(t, func(cfg *app.Config) { cfg.Profile.SweepInterval = 5 * time.Millisecond })
	h := newHook(t, "review-secret")
	h.register(t, s, "sandbox_tenant", nil)
	c := s.as(t, "sandbox_tenant")
	plain := addCustomer(t, c, individual("ada@example.com", "Ada", "Lovelace"))
	rejected := addCustomer(t, c, individual("review.rejected@sandbox.test", "Rex", "Jected"))
	manual := addCustomer(t, c, individual("review.manual@sandbox.test", "Man", "Ual"))
	medium := addCustomer(t, c, individual("m@example.com", "Med", "Ium"), "X-Sandbox-Scenario", "review-medium-risk")

	s.advance(t, "9m")
	if d := details(t, c, plain); d.AccountStatusId != "Pending" || d.RiskLevelId != nil || d.OnboardingCompleted != nil || d.OnboardingProgress != 40 {
		t.Fatalf("before the review time: %+v", d)
	}
	s.advance(t, "1m")
	// The sweeper fires the status change without anyone reading the profile.
	ev := h.wait(t, "profile.status_changed")
	if ev.Data["status"] == nil {
		t.Fatalf("status change: %+v", ev)
	}
	want := map[string][2]string{plain: {"Approved", "Low"}, rejected: {"Rejected", "High"}, medium: {"Approved", "Medium"}}
	for id, w := range want {
		d := details(t, c, id)
		if d.AccountStatusId != w[0] || d.RiskLevelId == nil || *d.RiskLevelId != w[1] || d.OnboardingProgress != 100 {
			t.Errorf("%s: %+v, want %v", id, d, w)
		}
	}
	s.advance(t, "48h")
	if d := details(t, s.as(t, "sandbox_tenant"), manual); d.AccountStatusId != "Pending" {
		t.Fatalf("review.manual: %+v", d)
	}

	// The catalogue lists the magic values.
	var cat struct {
		Operations []struct {
			Outcomes []struct {
				Name  string
				Magic []struct{ Field, Value string }
			}
		}
	}
	s.c.Get("/__sandbox/scenarios?operationId=addCustomer").Decode(t, &cat)
	magic := map[string]string{}
	for _, o := range cat.Operations[0].Outcomes {
		for _, m := range o.Magic {
			magic[o.Name] = m.Field + "=" + m.Value
		}
	}
	if magic["review-rejected"] != "customerEmail=review.rejected@sandbox.test" || magic["review-manual"] != "customerEmail=review.manual@sandbox.test" {
		t.Fatalf("catalogue magic: %v", magic)
	}
}

func TestReviewTransitions(t *testing.T) {
	s := newSandbox(t)
	c := s.as(t, "review_tenant")
	id := addCustomer(t, c, individual("x@example.com", "X", "Y"))
	review := func(body map[string]string, query string) *contracttest.Response {
		return s.c.Post("/__sandbox/profile/submissions/"+id+"/review"+query, body)
	}
	if r := review(map[string]string{"status": "Rejected"}, ""); r.Status != 200 || r.JSON(t)["riskLevel"] != "High" {
		t.Fatalf("reject: %d %s", r.Status, r.Body)
	}
	if r := review(map[string]string{"status": "Approved"}, ""); r.Status != 400 || !strings.Contains(string(r.Body), "Rejected and cannot become Approved directly") {
		t.Fatalf("rejected → approved: %d %s", r.Status, r.Body)
	}
	if r := review(map[string]string{"status": "Pending"}, "?tenant=review_tenant"); r.Status != 200 {
		t.Fatalf("re-open: %d %s", r.Status, r.Body)
	}
	if d := details(t, c, id); d.AccountStatusId != "Pending" || d.OnboardingCompleted != nil {
		t.Fatalf("re-opened: %+v", d)
	}
	if r := review(map[string]string{"status": "Approved"}, "?tenant=elsewhere"); r.Status != 404 {
		t.Fatalf("wrong tenant: %d %s", r.Status, r.Body)
	}
	if r := s.c.Post("/__sandbox/profile/submissions/nope/review", map[string]string{"status": "Approved"}); r.Status != 404 {
		t.Fatalf("unknown: %d %s", r.Status, r.Body)
	}
	if r := review(map[string]string{"status": "Maybe"}, ""); r.Status != 400 {
		t.Fatalf("bad status: %d %s", r.Status, r.Body)
	}
}

func TestWebhookRetriesAndAuth(t *testing.T) {
	s := newSandbox(t)
	// Two failures, then success: three attempts, delivered.
	h := newHook(t, "")
	h.fail = 2
	r := s.c.Do("PUT", "/__sandbox/tenants/retry_tenant/webhook", map[string]any{
		"url": h.srv.URL, "authType": "ApiKey", "authSettings": map[string]string{"headerName": "X-Api-Key", "apiKey": "k3y"},
		"retryCount": 3, "retryInterval": 0})
	if r.Status != 200 {
		t.Fatalf("set webhook: %d %s", r.Status, r.Body)
	}
	var stored struct {
		Secret       string
		AuthSettings map[string]string
	}
	r.Decode(t, &stored)
	if !strings.HasPrefix(stored.Secret, "whsec_") || stored.AuthSettings["apiKey"] != "********" || stored.AuthSettings["headerName"] != "X-Api-Key" {
		t.Fatalf("stored webhook: %s", r.Body)
	}
	h.secret = stored.Secret
	c := s.as(t, "retry_tenant")
	addCustomer(t, c, individual("r@example.com", "R", "T"))
	h.wait(t, "profile.created")
	h.mu.Lock()
	if h.header.Get("X-Api-Key") != "k3y" || len(h.bad) > 0 {
		t.Errorf("api key %q, bad %q", h.header.Get("X-Api-Key"), h.bad)
	}
	h.mu.Unlock()
	d := waitDelivery(t, s, "retry_tenant", "delivered")
	if d.Attempts != 3 || d.LastStatusCode != 200 || d.LastError != "" || d.EventType != "profile.created" {
		t.Fatalf("delivery: %+v", d)
	}

	// Always failing: 1 + retryCount attempts, then failed with the last error.
	down := newHook(t, "s")
	down.fail = 1000
	s.c.Do("PUT", "/__sandbox/tenants/down_tenant/webhook", map[string]any{
		"url": down.srv.URL, "authType": "Basic", "authSettings": map[string]string{"username": "u", "password": "p"},
		"retryCount": 2, "retryInterval": 0, "secret": "s"})
	addCustomer(t, s.as(t, "down_tenant"), individual("d@example.com", "D", "N"))
	d = waitDelivery(t, s, "down_tenant", "failed")
	if d.Attempts != 3 || d.LastStatusCode != 500 || !strings.Contains(d.LastError, "500") {
		t.Fatalf("failed delivery: %+v", d)
	}
	down.mu.Lock()
	if u, p, ok := (&http.Request{Header: down.header}).BasicAuth(); !ok || u != "u" || p != "p" {
		t.Errorf("basic auth %q %q %v", u, p, ok)
	}
	down.mu.Unlock()

	// Bad configurations are refused with the field named.
	for body, want := range map[string]string{
		`{"url":"ftp://x","authType":"None"}`:                              "url: must be an absolute http",
		`{"url":"http://127.0.0.1:1/h","authType":"ApiKey"}`:               "authSettings.headerName",
		`{"url":"http://127.0.0.1:1/h","authType":"Basic"}`:                "authSettings.username",
		`{"url":"http://127.0.0.1:1/h","authType":"Sometimes"}`:            "authType",
		`{"url":"http://127.0.0.1:1/h","authType":"None","retryCount":11}`: "retryCount",
	} {
		if r := s.c.Do("PUT", "/__sandbox/tenants/x/webhook", body); r.Status != 400 || !strings.Contains(string(r.Body), want) {
			t.Errorf("%s: %d %s", body, r.Status, r.Body)
		}
	}
	if r := s.c.Get("/__sandbox/tenants/x/webhook"); r.Status != 404 {
		t.Fatalf("webhook of x: %d", r.Status)
	}
	if r := s.c.Do("DELETE", "/__sandbox/tenants/retry_tenant/webhook", nil); r.Status != 204 {
		t.Fatalf("delete webhook: %d", r.Status)
	}
	if r := s.c.Get("/__sandbox/tenants/retry_tenant/webhook"); r.Status != 404 {
		t.Fatalf("deleted webhook: %d", r.Status)
	}
}

type delivery struct {
	Id, EventId, EventType, Url, Status, LastError, CreatedAt string
	Attempts, LastStatusCode                                  int
}

// waitDelivery polls the delivery log until its newest delivery reaches status.
func waitDelivery(t *testing.T, s *sandbox, tenant, status string) delivery {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var log struct{ Deliveries []delivery }
		s.c.Get("/__sandbox/tenants/"+tenant+"/webhook/deliveries").Decode(t, &log)
		if len(log.Deliveries) > 0 && log.Deliveries[0].Status == status {
			return log.Deliveries[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s delivery: %+v", status, log.Deliveries)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestResetClearsProfileState(t *testing.T) {
	s := newSandbox(t)
	h := newHook(t, "x")
	h.register(t, s, "reset_tenant", nil)
	c := s.as(t, "reset_tenant")
	id := addCustomer(t, c, seedIndividual)
	h.wait(t, "profile.created")
	s.c.Do("PUT", "/__sandbox/tenants/reset_tenant/ratelimits", map[string]any{"enabled": false, "creationPerMinute": 1, "retrievalPerMinute": 1, "downloadPerMinute": 1})

	s.c.Post("/__sandbox/reset?tenant=reset_tenant", nil)
	expect(t, c.Get("/ExtCustomerManagement/GetCustomerDetails/"+id), 404)
	if r := s.c.Get("/__sandbox/tenants/reset_tenant/webhook"); r.Status != 404 {
		t.Fatalf("webhook survived reset: %d", r.Status)
	}
	var box struct{ Messages []any }
	s.c.Get("/__sandbox/tenants/reset_tenant/outbox").Decode(t, &box)
	var log struct{ Deliveries []any }
	s.c.Get("/__sandbox/tenants/reset_tenant/webhook/deliveries").Decode(t, &log)
	if len(box.Messages) != 0 || len(log.Deliveries) != 0 {
		t.Fatalf("outbox %v / deliveries %v survived reset", box, log)
	}
	if got := s.c.Get("/__sandbox/tenants/reset_tenant/ratelimits").JSON(t); got["enabled"] != true {
		t.Fatalf("limits survived reset: %v", got)
	}
	// The fixtures are back; the token still works (it is not state).
	expect(t, c.Get("/ExtReport/GetIndividualProfile/ab98babe-b555-4b79-88bf-967f454df0c0"), 200)
}

func TestForcedScenarios(t *testing.T) {
	s := newSandbox(t)
	c := s.as(t, "sandbox_tenant")
	r := c.Post("/ExtCustomerManagement/AddCustomer", seedIndividual, "X-Sandbox-Scenario", "rate-limited")
	expect(t, r, 429)
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("a forced 429 has no Retry-After")
	}
	expect(t, c.Get("/ExtCustomerManagement/GetEmployees", "X-Sandbox-Scenario", "internal-error"), 500)
	expect(t, c.Post("/ExtCustomerManagement/AddCustomer", individual("sandbox.503@sandbox.test", "A", "B")), 503)
	expect(t, s.c.Post("/api/AppSessionManager/GetAppToken", map[string]string{"appId": "a", "appSecret": "b", "tenantId": "SANDBOX_500"}), 500)
	expect(t, c.Get("/ExtCustomerManagement/GetEmployees", "X-Sandbox-Scenario", "no-such"), 400, `unknown scenario "no-such"`, "valid: ok, invalid-request, unauthorized")
}

// TestSnapshotRoundTrip proves every profile record kind survives a snapshot: a restored
// tenant has its profile, its document's exact bytes, its webhook and its counters.
func TestSnapshotRoundTrip(t *testing.T) {
	s := newSandbox(t)
	h := newHook(t, "snap")
	h.register(t, s, "snap_tenant", nil)
	c := s.as(t, "snap_tenant")
	id := addCustomer(t, c, seedIndividual)
	var doc struct{ Id string }
	json.Unmarshal(expect(t, upload(c, id, "p.pdf", "Passport", "application/pdf", "2099-01-01", pdfBytes), 200).Result, &doc)
	waitDelivery(t, s, "snap_tenant", "delivered")
	s.c.Get("/ExtReport/GetIndividualProfile/" + id) // a rate-limit window
	snap := s.c.Get("/__sandbox/snapshot?tenant=snap_tenant")
	if snap.Status != 200 {
		t.Fatalf("snapshot: %d %s", snap.Status, snap.Body)
	}
	s.c.Post("/__sandbox/reset?tenant=snap_tenant", nil)
	expect(t, c.Get("/ExtCustomerManagement/GetCustomerDetails/"+id), 404)
	if r := s.c.Do("PUT", "/__sandbox/snapshot?tenant=snap_tenant", snap.Body); r.Status != 200 {
		t.Fatalf("restore: %d %s", r.Status, r.Body)
	}
	if d := details(t, c, id); d.AccountStatusId != "Pending" || d.OnboardingProgress != 60 {
		t.Fatalf("restored details: %+v", d)
	}
	r := c.Get("/ExtForm/submissions/" + id + "/documents/" + doc.Id + "/download")
	if r.Status != 200 || !bytes.Equal(r.Body, pdfBytes) {
		t.Fatalf("restored document: %d %q", r.Status, r.Body)
	}
	if r := s.c.Get("/__sandbox/tenants/snap_tenant/webhook"); r.Status != 200 {
		t.Fatalf("restored webhook: %d", r.Status)
	}
	// Counters carry on: a new event gets a new delivery id, the old log is intact.
	s.c.Post("/__sandbox/profile/submissions/"+id+"/review?tenant=snap_tenant", map[string]string{"status": "Approved"})
	h.wait(t, "profile.status_changed")
	var log struct{ Deliveries []delivery }
	s.c.Get("/__sandbox/tenants/snap_tenant/webhook/deliveries").Decode(t, &log)
	seen := map[string]bool{}
	for _, d := range log.Deliveries {
		if seen[d.Id] {
			t.Fatalf("delivery id %s reused after restore: %+v", d.Id, log.Deliveries)
		}
		seen[d.Id] = true
	}
	if len(log.Deliveries) != 3 {
		t.Fatalf("deliveries after restore: %+v", log.Deliveries)
	}
}

// TestCallbackExamples validates the webhook examples of the contract's callback, which
// the shared example test does not visit.
func TestCallbackExamples(t *testing.T) {
	doc, err := openapi.Load("profile")
	if err != nil {
		t.Fatal(err)
	}
	cb := doc.Components.Callbacks["ProfileEvents"]
	if cb == nil || cb.Value == nil {
		t.Fatal("no ProfileEvents callback")
	}
	n := 0
	for _, item := range cb.Value.Map() {
		mt := item.Post.RequestBody.Value.Content.Get("application/json")
		for name, ex := range mt.Examples {
			n++
			b, _ := json.Marshal(ex.Value.Value)
			var v any
			_ = json.Unmarshal(b, &v)
			if err := mt.Schema.Value.VisitJSON(v); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
	if n < 5 {
		t.Fatalf("%d callback examples, want one per event type", n)
	}
}

// TestWebhookNeverBlocksTheCall: the receiver holds every delivery until the API calls have
// answered; were delivery synchronous, the calls could not answer at all.
func TestWebhookNeverBlocksTheCall(t *testing.T) {
	s := newSandbox(t)
	release := make(chan struct{})
	arrived := make(chan string, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- r.Header.Get("X-Sandbox-Event")
		<-release
	}))
	defer srv.Close()
	defer close(release)
	s.c.Do("PUT", "/__sandbox/tenants/slow_tenant/webhook", map[string]any{"url": srv.URL, "authType": "None"})
	c := s.as(t, "slow_tenant")

	answered := make(chan struct{})
	go func() {
		defer close(answered)
		c.Post("/ExtCustomerManagement/SetCustomerPassword", seedSetPassword)
	}()
	select {
	case <-answered:
	case <-time.After(10 * time.Second):
		t.Fatal("SetCustomerPassword waited for its webhook")
	}
	if ev := <-arrived; ev != "profile.updated" {
		t.Fatalf("event %s", ev)
	}
	var log struct{ Deliveries []delivery }
	s.c.Get("/__sandbox/tenants/slow_tenant/webhook/deliveries").Decode(t, &log)
	if len(log.Deliveries) != 1 || log.Deliveries[0].Status != "pending" || log.Deliveries[0].EventType != "profile.updated" {
		t.Fatalf("while the receiver holds it: %+v", log.Deliveries)
	}
}
