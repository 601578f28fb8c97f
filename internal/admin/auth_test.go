package admin

import (
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/partnersandbox/sandbox/openapi"
)

// The contract says what Scopes says: open operations need no security, the others the
// bearer token with a 401, and a 403 that says which refusal (Forbidden: another tenant's;
// OperatorOnly: every tenant's).
func TestContractDocumentsEveryScope(t *testing.T) {
	doc, err := openapi.Load("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	if err := checkScopes(doc); err != nil {
		t.Fatal(err)
	}
	if s := doc.Components.SecuritySchemes["bearerAuth"]; s == nil || s.Value.Type != "http" || s.Value.Scheme != "bearer" {
		t.Fatalf("components.securitySchemes.bearerAuth: %+v", s)
	}
	if len(doc.Security) != 1 || doc.Security[0]["bearerAuth"] == nil {
		t.Fatalf("top-level security: %+v, want bearerAuth", doc.Security)
	}
	seen := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			seen[op.OperationID] = true
			where := method + " " + path + " (" + op.OperationID + ", " + Scopes[op.OperationID].String() + ")"
			open := op.Security != nil && len(*op.Security) == 0
			if open != (Scopes[op.OperationID] == Open) {
				t.Errorf("%s: security [] is for open operations only", where)
			}
			if op.Security != nil && len(*op.Security) > 0 {
				t.Errorf("%s: an operation's own security requirement hides the top-level one", where)
			}
			want401, want403 := "", ""
			switch Scopes[op.OperationID] {
			case AnyToken:
				want401 = "#/components/responses/Unauthorized"
			case TenantScoped:
				want401, want403 = "#/components/responses/Unauthorized", "#/components/responses/Forbidden"
			case OperatorOnly:
				want401, want403 = "#/components/responses/Unauthorized", "#/components/responses/OperatorOnly"
			}
			if got := ref(op, 401); got != want401 {
				t.Errorf("%s: 401 is %q, want %q", where, got, want401)
			}
			if got := ref(op, 403); got != want403 && (want403 != "" || got != "#/components/responses/Forbidden") { // Forbidden: also local mode's browser refusals
				t.Errorf("%s: 403 is %q, want %q", where, got, want403)
			}
		}
	}
	for id := range Scopes {
		if !seen[id] {
			t.Errorf("Scopes classifies %s, which the contract does not have", id)
		}
	}
}

func ref(op *openapi3.Operation, status int) string {
	r := op.Responses.Status(status)
	if r == nil {
		return ""
	}
	if r.Ref == "" {
		return "(inline)"
	}
	return r.Ref
}

// Mount refuses a contract with an operation Scopes does not classify.
func TestUnclassifiedOperationIsRefused(t *testing.T) {
	doc := &openapi3.T{Paths: openapi3.NewPaths()}
	doc.Paths.Set("/__sandbox/reset", &openapi3.PathItem{Post: &openapi3.Operation{OperationID: "reset"}})
	doc.Paths.Set("/__sandbox/new", &openapi3.PathItem{Get: &openapi3.Operation{OperationID: "newThing"}})
	if err := checkScopes(doc); err == nil || !strings.Contains(err.Error(), "newThing") {
		t.Fatalf("an unclassified operation: %v", err)
	}
}
