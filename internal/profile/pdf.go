package profile

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// RenderPDF draws the profile page report: the submission, its answers, risk assessment
// and documents as they stand at now (sandbox clock). Streams are left uncompressed so the
// report's text can be searched in the file, as the tests do.
func RenderPDF(v ProfileView, now time.Time) ([]byte, error) {
	r := newReport(v.Submission, now)
	r.heading(title(v.Submission), v.Form.Name+" - submission "+v.Submission.ID)
	r.customer(v.Submission)
	r.onboarding(v.Submission)
	r.risk(v.Submission)
	r.documents(v.Documents)
	var buf bytes.Buffer
	if err := r.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("rendering the profile PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// report is a profile page being drawn.
type report struct {
	pdf *fpdf.Fpdf
	tr  func(string) string // core fonts are cp1252
}

func newReport(sub *Submission, now time.Time) *report {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(false)
	pdf.SetCreationDate(now)
	pdf.SetModificationDate(now)
	pdf.SetTitle("Customer profile "+sub.ID, true)
	pdf.SetAuthor("Partner sandbox", true)
	pdf.SetCreator("partner-sandbox profile API", true)
	pdf.SetMargins(18, 18, 18)
	pdf.SetAutoPageBreak(true, 18)
	r := &report{pdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor("")}
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont("Helvetica", "", 8)
		pdf.SetTextColor(120, 120, 120)
		pdf.CellFormat(0, 5, r.tr(fmt.Sprintf("Sandbox report, generated %s. Page %d", now.UTC().Format(time.RFC3339), pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	return r
}

func (r *report) heading(title, subtitle string) {
	r.pdf.SetFont("Helvetica", "B", 18)
	r.pdf.CellFormat(0, 10, r.tr(title), "", 1, "L", false, 0, "")
	r.pdf.SetFont("Helvetica", "", 10)
	r.pdf.SetTextColor(90, 90, 90)
	r.pdf.CellFormat(0, 6, r.tr(subtitle), "", 1, "L", false, 0, "")
	r.pdf.SetTextColor(0, 0, 0)
	r.pdf.Ln(4)
}

func (r *report) section(name string) {
	r.pdf.Ln(3)
	r.pdf.SetFont("Helvetica", "B", 12)
	r.pdf.SetFillColor(230, 236, 245)
	r.pdf.CellFormat(0, 8, r.tr(name), "", 1, "L", true, 0, "")
	r.pdf.SetFont("Helvetica", "", 10)
	r.pdf.Ln(1)
}

func (r *report) row(label, value string) {
	r.pdf.SetFont("Helvetica", "B", 10)
	r.pdf.CellFormat(55, 6, r.tr(label), "", 0, "L", false, 0, "")
	r.pdf.SetFont("Helvetica", "", 10)
	r.pdf.MultiCell(0, 6, r.tr(value), "", "L", false)
}

func (r *report) customer(sub *Submission) {
	r.section("Customer")
	for _, a := range answers(sub) {
		r.row(a.question, a.answer)
	}
	r.row("User type", sub.UserType)
	r.row("Employee", sub.EmployeeID)
}

func (r *report) onboarding(sub *Submission) {
	r.section("Onboarding")
	r.row("Account status", sub.Status)
	r.row("Progress", fmt.Sprintf("%d%%", sub.Progress()))
	r.row("Started", sub.Created.UTC().Format(time.RFC3339))
	completed := "-"
	if !sub.Completed.IsZero() {
		completed = sub.Completed.UTC().Format(time.RFC3339)
	}
	r.row("Completed", completed)
}

func (r *report) risk(sub *Submission) {
	r.section("Risk assessment")
	if sub.RiskLevel == "" {
		r.row("Risk level", "Not assessed yet")
		return
	}
	r.row("Risk level", fmt.Sprintf("%s (score %d)", sub.RiskLevel, riskScore[sub.RiskLevel]))
	for _, f := range riskFactors(sub) {
		r.row(f.name, fmt.Sprintf("%s (weight %d%%)", f.value, f.weight))
	}
}

func (r *report) documents(docs []*Document) {
	r.section("Documents")
	if len(docs) == 0 {
		r.pdf.CellFormat(0, 6, r.tr("No documents uploaded."), "", 1, "L", false, 0, "")
	}
	for _, d := range docs {
		expiry := ""
		if d.ExpiryDate != "" {
			expiry = ", expires " + d.ExpiryDate
		}
		r.row(d.TypeID, fmt.Sprintf("%s (%s, %d bytes%s) SHA-256 %s", d.OriginalFileName, d.ContentType, len(d.Content), expiry, d.SHA256))
	}
}

func title(sub *Submission) string {
	if sub.UserType == Legal {
		return "Legal entity profile: " + sub.Name()
	}
	return "Individual profile: " + sub.Name()
}

// answer is one form answer.
type answer struct{ id, question, answer string }

// answers are the form answers of a submission, in form order.
func answers(sub *Submission) []answer {
	var out []answer
	if p := sub.Individual; p != nil {
		out = append(out, answer{"firstName", "First name", p.FirstName}, answer{"lastName", "Last name", p.LastName})
	}
	if c := sub.Legal; c != nil {
		out = append(out, answer{"fullName", "Registered name", c.FullName},
			answer{"registrationNumber", "Registration number", c.RegistrationNumber})
		if strings.TrimSpace(c.TradingName) != "" {
			out = append(out, answer{"tradingName", "Trading name", c.TradingName})
		}
	}
	out = append(out, answer{"customerEmail", "E-mail address", sub.Email})
	if strings.TrimSpace(sub.Mobile) != "" {
		out = append(out, answer{"customerMobileNumber", "Mobile number", sub.Mobile})
	}
	return out
}

// riskScore is the score the sandbox gives each risk level.
var riskScore = map[string]int{Low: 12, Medium: 48, High: 83}

type riskFactor struct {
	name, value string
	weight      int
}

// riskFactors explain a risk level; each factor's value is the one that level implies.
func riskFactors(sub *Submission) []riskFactor {
	if sub.RiskLevel == "" {
		return nil
	}
	pick := func(low, medium, high string) string {
		return map[string]string{Low: low, Medium: medium, High: high}[sub.RiskLevel]
	}
	if sub.UserType == Legal {
		return []riskFactor{
			{"Industry", pick("Retail", "Money services", "Virtual assets"), 50},
			{"Years trading", pick("More than 5", "2 to 5", "Less than 2"), 30},
			{"Sanctions screening", pick("No match", "No match", "Possible match"), 20},
		}
	}
	return []riskFactor{
		{"Country of residence", pick("Low-risk jurisdiction", "Medium-risk jurisdiction", "High-risk jurisdiction"), 40},
		{"PEP screening", pick("No match", "No match", "Potential match"), 35},
		{"Sanctions screening", pick("No match", "No match", "Possible match"), 25},
	}
}
