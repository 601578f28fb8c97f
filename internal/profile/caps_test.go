package profile_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
)

// documentCount is how many documents a submission lists.
func documentCount(t *testing.T, c *contracttest.Client, id string) int {
	t.Helper()
	var docs []struct{ Id string }
	if err := json.Unmarshal(expect(t, c.Get("/ExtForm/submissions/"+id+"/documents"), 200).Result, &docs); err != nil {
		t.Fatal(err)
	}
	return len(docs)
}

// Documents per submission were unlimited (300 x 5 MiB held 5.9 GB): a tenant now holds
// at most --profile-max-documents documents over all its submissions; past it, the
// documented 400 names the cap and nothing is stored.
func TestDocumentsPerTenantCountCap(t *testing.T) {
	t.Parallel()
	s := newSandbox(t, func(cfg *app.Config) { cfg.Profile.MaxDocuments = 3 })
	c := s.as(t, "cap_tenant")
	first, second := addCustomer(t, c, seedIndividual), addCustomer(t, c, seedIndividual)
	for i, sub := range []string{first, first, second} {
		if r := upload(c, sub, "p.pdf", "Passport", "application/pdf", "", pdfBytes); r.Status != 200 {
			t.Fatalf("upload %d under the cap: %d %s", i+1, r.Status, r.Body)
		}
	}
	expect(t, upload(c, second, "p.pdf", "Passport", "application/pdf", "", pdfBytes), 400,
		"FileContent: tenant cap_tenant already holds 3 documents, the most a tenant may hold (3")
	if n := documentCount(t, c, second); n != 1 {
		t.Fatalf("a refused upload was stored: submission %s lists %d documents, want 1", second, n)
	}
	// Another tenant has caps of its own.
	other := s.as(t, "other_tenant")
	if r := upload(other, addCustomer(t, other, seedIndividual), "p.pdf", "Passport", "application/pdf", "", pdfBytes); r.Status != 200 {
		t.Fatalf("another tenant's upload: %d %s", r.Status, r.Body)
	}
	// Deleting makes room again.
	var docs []struct{ Id string }
	_ = json.Unmarshal(expect(t, c.Get("/ExtForm/submissions/"+first+"/documents"), 200).Result, &docs)
	expect(t, c.Do("DELETE", "/ExtForm/submissions/"+first+"/documents?ids="+docs[0].Id, nil), 200)
	expect(t, upload(c, second, "p.pdf", "Passport", "application/pdf", "", pdfBytes), 200)
}

// The bytes of a tenant's documents are capped too (--profile-max-document-bytes).
func TestDocumentsPerTenantBytesCap(t *testing.T) {
	t.Parallel()
	big := append(append([]byte{}, pdfBytes...), bytes.Repeat([]byte{' '}, 4000)...)
	s := newSandbox(t, func(cfg *app.Config) { cfg.Profile.MaxDocumentBytes = 10_000 })
	c := s.as(t, "bytes_tenant")
	sub := addCustomer(t, c, seedIndividual)
	expect(t, upload(c, sub, "a.pdf", "Passport", "application/pdf", "", big), 200)
	expect(t, upload(c, sub, "b.pdf", "Passport", "application/pdf", "", big), 200)
	expect(t, upload(c, sub, "c.pdf", "Passport", "application/pdf", "", big), 400,
		"past the 10000 bytes a tenant may hold")
	if n := documentCount(t, c, sub); n != 2 {
		t.Fatalf("a refused upload was stored: %d documents, want 2", n)
	}
	// A smaller document still fits.
	expect(t, upload(c, sub, "d.pdf", "Passport", "application/pdf", "", pdfBytes), 200)
}
