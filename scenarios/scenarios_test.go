package scenarios

import (
	"errors"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func testOp() Operation {
	return Operation{API: "dcms", ID: "viewCustomer", Method: "POST", Path: "/v1/viewCustomer", Outcomes: []Outcome{
		{Name: OK, Status: 200},
		{Name: "customer-not-found", Status: 400, Code: "CUS001", Magic: []Magic{{Field: "entityId", Value: "000000"}}},
	}}
}

func TestPick(t *testing.T) {
	cat := NewCatalogue()
	cat.Add(testOp())
	e := NewEngine(cat)
	op, _ := cat.Op("viewCustomer")

	o, err := e.Pick(op, "customer-not-found", nil)
	if err != nil || o.Code != "CUS001" {
		t.Fatalf("header pick = %v, %v", o, err)
	}
	_, err = e.Pick(op, "nope", nil)
	var unknown *UnknownError
	if !errors.As(err, &unknown) || !strings.Contains(err.Error(), "ok, customer-not-found") {
		t.Fatalf("unknown name: %v", err)
	}
	if o, _ := e.Pick(op, "", []byte(`{"entityId":"000000"}`)); o == nil || o.Name != "customer-not-found" {
		t.Fatalf("magic pick = %v", o)
	}
	if o, _ := e.Pick(op, "", []byte(`{"entityId":"675676","x":"000000"}`)); o != nil {
		t.Fatalf("magic value in another field picked %v", o)
	}
	if o, _ := e.Pick(op, "", []byte(`{"entityId":"675676"}`)); o != nil {
		t.Fatalf("plain request picked %v", o)
	}
}

func TestCheck(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData([]byte(`
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /v1/viewCustomer:
    post:
      operationId: viewCustomer
      responses:
        "200": {description: ok}
        "400": {description: bad}
`))
	if err != nil {
		t.Fatal(err)
	}
	cat := NewCatalogue()
	cat.Add(testOp())
	if err := cat.Check(map[string]*openapi3.T{"dcms": doc}); err != nil {
		t.Fatalf("good catalogue refused: %v", err)
	}
	bad := testOp()
	bad.Outcomes = append(bad.Outcomes, Outcome{Name: "teapot", Status: 418})
	cat.Add(bad)
	cat.Add(Operation{API: "dcms", ID: "ghost", Method: "POST", Path: "/v1/ghost", Outcomes: []Outcome{{Name: OK, Status: 200}}})
	err = cat.Check(map[string]*openapi3.T{"dcms": doc})
	if err == nil || !strings.Contains(err.Error(), `"teapot" answers 418`) || !strings.Contains(err.Error(), "ghost: in the catalogue but not") {
		t.Fatalf("bad catalogue: %v", err)
	}
}
