package scenarios

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

func testOp() Operation {
	return Operation{API: "dcms", ID: "viewCustomer", Method: "POST", Path: "/v1/viewCustomer", Outcomes: []Outcome{
		{Name: OK, Status: 200},
		{Name: "customer-not-found", Status: 400, Code: "CUS001", Magic: []Magic{{Field: "entityId", Value: "000000"}}},
		{Name: "internal-error", Status: 500},
		{Name: "service-unavailable", Status: 503},
	}}
}

func decide(t *testing.T, e *Engine, op *Operation, tenant string, body string, kv ...string) Decision {
	t.Helper()
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	d, err := e.Decide(context.Background(), op, tenant, h, []byte(body))
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	return d
}

func TestDecideHeadersAndMagic(t *testing.T) {
	cat := NewCatalogue()
	cat.Add(testOp())
	e := NewEngine(cat)
	op, _ := cat.Op("viewCustomer")

	if d := decide(t, e, op, "T", "", Header, "customer-not-found"); d.Outcome == nil || d.Outcome.Code != "CUS001" {
		t.Fatalf("header pick = %+v", d)
	}
	_, err := e.Decide(context.Background(), op, "T", http.Header{Header: {"nope"}}, nil)
	var unknown *UnknownError
	if !errors.As(err, &unknown) || !strings.Contains(err.Error(), "ok, customer-not-found") {
		t.Fatalf("unknown name: %v", err)
	}
	if d := decide(t, e, op, "T", `{"entityId":"000000"}`); d.Outcome == nil || d.Outcome.Name != "customer-not-found" {
		t.Fatalf("magic pick = %+v", d)
	}
	if d := decide(t, e, op, "T", `{"entityId":"675676","x":"000000"}`); d.Outcome != nil {
		t.Fatalf("magic value in another field picked %+v", d)
	}
	if d := decide(t, e, op, "T", `{"entityId":"675676"}`); d != (Decision{}) {
		t.Fatalf("plain request decided %+v", d)
	}
	if d := decide(t, e, op, "T", "", DelayHeader, "250ms", FaultHeader, Fault503); d.Delay != 250*time.Millisecond || d.Fault != Fault503 {
		t.Fatalf("delay+fault = %+v", d)
	}
	for _, bad := range [][2]string{{DelayHeader, "soon"}, {DelayHeader, "2h"}, {FaultHeader, "explode"}} {
		_, err := e.Decide(context.Background(), op, "T", http.Header{bad[0]: {bad[1]}}, nil)
		var he *HeaderError
		if !errors.As(err, &he) || he.Header != bad[0] {
			t.Errorf("%s: %s accepted (%v)", bad[0], bad[1], err)
		}
	}
}

func TestArmedRules(t *testing.T) {
	cat := NewCatalogue()
	cat.Add(testOp())
	e := NewEngine(cat)
	op, _ := cat.Op("viewCustomer")
	rules := e.Rules()

	for _, bad := range []Rule{
		{OperationID: "nope", Outcome: OK},
		{OperationID: "viewCustomer", Outcome: "teapot"},
		{OperationID: "viewCustomer"},
		{OperationID: "viewCustomer", Fault: "explode"},
		{OperationID: "viewCustomer", Outcome: OK, Fault: Fault500},
		{OperationID: "viewCustomer", Delay: "forever"},
		{OperationID: "viewCustomer", Outcome: OK, Times: -1},
	} {
		if _, err := rules.Arm(bad); err == nil {
			t.Errorf("armed a bad rule %+v", bad)
		}
	}
	r, err := rules.Arm(Rule{OperationID: "viewCustomer", Outcome: "customer-not-found", Times: 2, Tenant: "A", Match: map[string]string{"entityId": "675676"}})
	if err != nil {
		t.Fatal(err)
	}
	if d := decide(t, e, op, "B", `{"entityId":"675676"}`); d.Rule != "" {
		t.Fatal("rule for tenant A fired for B")
	}
	if d := decide(t, e, op, "A", `{"entityId":"1"}`); d.Rule != "" {
		t.Fatal("rule fired on a body that does not match")
	}
	for i := 0; i < 2; i++ {
		if d := decide(t, e, op, "A", `{"entityId":"675676"}`); d.Rule != r.ID || d.Outcome.Code != "CUS001" {
			t.Fatalf("call %d: %+v", i, d)
		}
	}
	if d := decide(t, e, op, "A", `{"entityId":"675676"}`); d.Rule != "" {
		t.Fatal("rule fired past its times")
	}
	list := func() []Rule {
		t.Helper()
		got, err := rules.List()
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := list(); len(got) != 1 || got[0].Fired != 2 || got[0].Remaining() != 0 {
		t.Fatalf("list = %+v", got)
	}
	f, _ := rules.Arm(Rule{OperationID: "viewCustomer", Fault: Fault503, Delay: "10ms"})
	if d := decide(t, e, op, "Z", `{}`); d.Fault != Fault503 || d.Delay != 10*time.Millisecond {
		t.Fatalf("fault rule: %+v", d)
	}
	if ok, _ := rules.Remove(f.ID); !ok {
		t.Fatal("remove")
	}
	if ok, _ := rules.Remove(f.ID); ok {
		t.Fatal("removed twice")
	}
	_ = rules.Reset("")
	if len(list()) != 0 {
		t.Fatal("reset kept rules")
	}

	// A start-up rule comes back, fresh, after a reset of its tenant or of everything.
	if _, err := rules.ArmBase(Rule{OperationID: "viewCustomer", Outcome: "customer-not-found", Times: 1, Tenant: "A"}); err != nil {
		t.Fatal(err)
	}
	decide(t, e, op, "A", `{}`)
	_ = rules.Reset("B")
	if got := list(); len(got) != 1 || got[0].Fired != 1 {
		t.Fatalf("reset of another tenant touched the start-up rule: %+v", got)
	}
	_ = rules.Reset("A")
	if got := list(); len(got) != 1 || got[0].Fired != 0 {
		t.Fatalf("start-up rule after reset: %+v", got)
	}
}

func TestLookup(t *testing.T) {
	var v any
	_ = json.Unmarshal([]byte(`{"a":{"b":[{"c":5}]},"t":true,"n":null}`), &v)
	for path, want := range map[string]string{"a.b.0.c": "5", "t": "true", "n": "null"} {
		got, ok := Lookup(v, path)
		if !ok || Scalar(got) != want {
			t.Errorf("%s = %v %v", path, got, ok)
		}
	}
	if _, ok := Lookup(v, "a.b.1"); ok {
		t.Error("out of range index found")
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
        "500": {description: broken}
        "503": {description: unavailable}
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

// Calls fire armed rules concurrently, without a lock, while rules are armed and removed:
// a rule armed for N calls answers exactly N of them.
func TestArmedRulesConcurrently(t *testing.T) {
	cat := NewCatalogue()
	cat.Add(testOp())
	e := NewEngine(cat)
	op, _ := cat.Op("viewCustomer")
	rules := e.Rules()
	const times, callers, calls = 50, 8, 40
	r, err := rules.Arm(Rule{OperationID: "viewCustomer", Outcome: "customer-not-found", Times: times, Match: map[string]string{"entityId": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	var fired atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < callers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < calls; j++ {
				d, err := e.Decide(context.Background(), op, "T", http.Header{}, []byte(`{"entityId":"1"}`))
				if err != nil {
					t.Error(err)
					return
				}
				if d.Rule == r.ID {
					fired.Add(1)
				}
			}
		}()
	}
	for i := 0; i < 20; i++ { // writers copy and swap the set meanwhile
		other, err := rules.Arm(Rule{OperationID: "viewCustomer", Fault: Fault500, Tenant: "other"})
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := rules.Remove(other.ID); !ok {
			t.Fatal("remove")
		}
	}
	wg.Wait()
	if fired.Load() != times {
		t.Fatalf("the rule answered %d calls, armed for %d", fired.Load(), times)
	}
	got, _ := rules.List()
	if len(got) != 1 || got[0].Fired != times || got[0].Remaining() != 0 {
		t.Fatalf("list = %+v", got)
	}
}
