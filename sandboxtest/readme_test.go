package sandboxtest_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/generated/dcms"
	"github.com/partnersandbox/sandbox/sandboxtest"
)

// TestCardIsLocked is the README's sandboxtest snippet, verbatim (TestREADMESnippet keeps
// the two the same), so the snippet compiles and passes.
func TestCardIsLocked(t *testing.T) {
	sb := sandboxtest.New(t) // the whole sandbox in-process, stopped with the test
	ctx := context.Background()
	resp, err := sb.DCMS.ManageKitWithResponse(ctx, nil, dcms.ManageKitJSONRequestBody{ // tenant ACME_BANK
		EntityId: "676165", OldKit: "4561789", Operation: dcms.KitOperationLOCK})
	if err != nil {
		t.Fatal(err) // no answer at all: resp is nil
	}
	if resp.JSON200 == nil {
		t.Fatalf("manageKit: %d %s", resp.StatusCode(), resp.Body)
	}
	// Or point your own client at sb.URL.
}

func TestREADMESnippet(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fn := string(self[strings.Index(string(self), "func TestCardIsLocked"):strings.Index(string(self), "func TestREADMESnippet")])
	if !strings.Contains(string(readme), strings.TrimSpace(fn)) {
		t.Fatalf("the README's sandboxtest snippet is not TestCardIsLocked of readme_test.go:\n%s", fn)
	}
}
