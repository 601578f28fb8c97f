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
	sub := v.Submission
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(false)
	pdf.SetCreationDate(now)
	pdf.SetModificationDate(now)
	pdf.SetTitle("Customer profile "+sub.ID, true)
	pdf.SetAuthor("Partner sandbox", true)
	pdf.SetCreator("partner-sandbox profile API", true)
	pdf.SetMargins(18, 18, 18)
	pdf.SetAutoPageBreak(true, 18)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // core fonts are cp1252
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont("Helvetica", "", 8)
		pdf.SetTextColor(120, 120, 120)
		pdf.CellFormat(0, 5, tr(fmt.Sprintf("Sandbox report, generated %s. Page %d", now.UTC().Format(time.RFC3339), pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()

	pdf.SetFont("Helvetica", "B", 18)
	pdf.CellFormat(0, 10, tr(title(sub)), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.SetTextColor(90, 90, 90)
	pdf.CellFormat(0, 6, tr(v.Form.Name+" - submission "+sub.ID), "", 1, "L", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
	pdf.Ln(4)

	section := func(name string) {
		pdf.Ln(3)
		pdf.SetFont("Helvetica", "B", 12)
		pdf.SetFillColor(230, 236, 245)
		pdf.CellFormat(0, 8, tr(name), "", 1, "L", true, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.Ln(1)
	}
	row := func(label, value string) {
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(55, 6, tr(label), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 6, tr(value), "", "L", false)
	}

	section("Customer")
	for _, a := range answers(sub) {
		row(a.question, a.answer)
	}
	row("User type", sub.UserType)
	row("Employee", sub.EmployeeID)

	section("Onboarding")
	row("Account status", sub.Status)
	row("Progress", fmt.Sprintf("%d%%", sub.Progress()))
	row("Started", sub.Created.UTC().Format(time.RFC3339))
	completed := "-"
	if !sub.Completed.IsZero() {
		completed = sub.Completed.UTC().Format(time.RFC3339)
	}
	row("Completed", completed)

	section("Risk assessment")
	if sub.RiskLevel == "" {
		row("Risk level", "Not assessed yet")
	} else {
		row("Risk level", fmt.Sprintf("%s (score %d)", sub.RiskLevel, riskScore[sub.RiskLevel]))
		for _, f := range riskFactors(sub) {
			row(f.name, fmt.Sprintf("%s (weight %d%%)", f.value, f.weight))
		}
	}

	section("Documents")
	if len(v.Documents) == 0 {
		pdf.CellFormat(0, 6, tr("No documents uploaded."), "", 1, "L", false, 0, "")
	}
	for _, d := range v.Documents {
		expiry := ""
		if d.ExpiryDate != "" {
			expiry = ", expires " + d.ExpiryDate
		}
		row(d.TypeID, fmt.Sprintf("%s (%s, %d bytes%s) SHA-256 %s", d.OriginalFileName, d.ContentType, len(d.Content), expiry, d.SHA256))
	}

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("rendering the profile PDF: %w", err)
	}
	return buf.Bytes(), nil
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
