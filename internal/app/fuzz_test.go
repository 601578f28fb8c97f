package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/openapi"
)

// The fuzz targets send arbitrary bodies to each partner API's JSON operations through the
// whole sandbox (pipeline, handlers, store, journal), in process, with working credentials.
// Every answer must be one the contract documents, never a 500 for the client's input, and
// come within fuzzAnswerTime (far above the 100 ms goal: fuzzing runs on busy cores).
// `make fuzz` runs each for FUZZTIME; `go test` runs their seeds and testdata/fuzz corpora.
const fuzzAnswerTime = 2 * time.Second

func FuzzDCMS(f *testing.F)    { fuzzAPI(f, "dcms") }
func FuzzDMT(f *testing.F)     { fuzzAPI(f, "dmt") }
func FuzzProfile(f *testing.F) { fuzzAPI(f, "profile") }

// fuzzOp is one operation the fuzzer calls: a JSON request body and the path to send it to.
type fuzzOp struct{ method, path string }

func fuzzAPI(f *testing.F, api string) {
	doc, err := openapi.Load(api)
	if err != nil {
		f.Fatal(err)
	}
	var ops []fuzzOp
	var examples [][]byte
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			if op.RequestBody == nil || op.RequestBody.Value.Content.Get("application/json") == nil {
				continue
			}
			ops = append(ops, fuzzOp{method, strings.ReplaceAll(path, "{submissionId}", individual)})
			for _, ex := range op.RequestBody.Value.Content.Get("application/json").Examples {
				if ex.Value != nil {
					if b, err := json.Marshal(ex.Value.Value); err == nil {
						examples = append(examples, b)
					}
				}
			}
		}
	}
	slices.SortFunc(ops, func(a, b fuzzOp) int { return strings.Compare(a.method+a.path, b.method+b.path) })
	// Seeds: the contract's examples at every operation, and the barrage's worst cases.
	for i := range ops {
		for _, ex := range examples {
			f.Add(uint8(i), ex)
		}
	}
	for _, s := range []string{``, `{}`, `[]`, `null`, `{"RequestData":"AAAA"}`, `{"a":` + strings.Repeat("[", 100), strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat(`}`, 40),
		`{"entityId":"\u0000\ud800"}`, "{\"x\":\"\xff\xfe\"}", `{"n":1e999}`, `{"entityId":675676}`} {
		f.Add(uint8(0), []byte(s))
	}

	sb, err := app.New(app.DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(sb.Close)
	header := fuzzCredentials(f, sb.Handler, api)

	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		op := ops[int(which)%len(ops)]
		req := httptest.NewRequest(op.method, op.path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		start := time.Now()
		sb.Handler.ServeHTTP(w, req)
		took := time.Since(start)
		if w.Code == http.StatusInternalServerError {
			t.Fatalf("%s %s answered 500 to %q: %s", op.method, op.path, body, w.Body)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		if err := contracttest.Validate(req, w.Code, w.Header(), w.Body.Bytes()); err != nil {
			t.Fatalf("%s %s with %q: %v", op.method, op.path, body, err)
		}
		if took > fuzzAnswerTime {
			t.Fatalf("%s %s took %v for a %d-byte body", op.method, op.path, took, len(body))
		}
	})
}

// fuzzCredentials are the documented sandbox credentials of api.
func fuzzCredentials(f *testing.F, h http.Handler, api string) map[string]string {
	switch api {
	case "dcms":
		return map[string]string{"tenant": "ACME_BANK"}
	case "dmt":
		return map[string]string{"client_id": "sandbox_client", "client_secret": "sandbox_secret"}
	}
	return map[string]string{"Authorization": profileBearer(f, h, "fuzz_tenant")}
}
