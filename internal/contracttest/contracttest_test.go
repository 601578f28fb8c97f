package contracttest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps failures instead of failing, so the checker itself
// can be tested.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}
func (r *recorder) Helper() {}

func TestCheckerCatchesWhatTheContractForbids(t *testing.T) {
	var status int
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	defer srv.Close()

	cases := []struct {
		name   string
		status int
		body   string
		want   string // "" means the answer is valid
	}{
		{"valid error envelope", 400, `{"result":null,"exception":{"errorCode":"CUS001","shortMessage":"s","detailMessage":"d","httpStatus":"BAD_REQUEST","fieldError":[],"languageCode":"en"},"pagination":null}`, ""},
		{"undocumented status", 418, `{}`, "418"},
		{"missing required field", 400, `{"result":null,"exception":{"errorCode":"CUS001"},"pagination":null}`, "shortMessage"},
		{"wrong type", 200, `{"result":"nope","exception":null,"pagination":null}`, "result"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body = tc.status, tc.body
			rec := &recorder{TB: t}
			c := NewClient(rec, srv.URL)
			c.Post("/v1/viewCustomer", `{"entityId":"1"}`, "tenant", "T")
			joined := strings.Join(rec.failures, "\n")
			if tc.want == "" && joined != "" {
				t.Fatalf("valid answer refused: %s", joined)
			}
			if tc.want != "" && !strings.Contains(joined, tc.want) {
				t.Fatalf("invalid answer passed (failures: %q)", joined)
			}
			// The transport for typed clients checks the same way.
			rec2 := &recorder{TB: t}
			hc := &http.Client{Transport: Transport(rec2, nil)}
			req, _ := http.NewRequest("POST", srv.URL+"/v1/viewCustomer", strings.NewReader(`{"entityId":"1"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("tenant", "T")
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if (tc.want == "") != (len(rec2.failures) == 0) {
				t.Fatalf("transport failures %q", rec2.failures)
			}
		})
	}
}
