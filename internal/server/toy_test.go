package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"

	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/journal"
	"github.com/partnersandbox/sandbox/scenarios"
)

// toySpec is a one-operation contract for the stage tests.
const toySpec = `
openapi: 3.0.3
info: {title: toy, version: "1"}
paths:
  /toy/echo:
    post:
      operationId: echo
      parameters:
        - {name: tenant, in: header, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [word]
              properties:
                word: {type: string, maxLength: 10}
      responses:
        "200": {description: ok}
        "400": {description: refused}
        "500": {description: broken}
        "503": {description: down}
`

// toy is a partner API for tests: it echoes the word, and panics on "panic".
type toy struct {
	doc *openapi3.T
}

func newToy(t testing.TB) *toy {
	doc, err := openapi3.NewLoader().LoadFromData([]byte(toySpec))
	if err != nil {
		t.Fatal(err)
	}
	return &toy{doc: doc}
}

func (*toy) Name() string            { return "toy" }
func (a *toy) Contract() *openapi3.T { return a.doc }
func (*toy) Problem(kind Kind, msg string, fields []string) Problem {
	switch kind {
	case Internal:
		return Problem{Status: 500, Code: "E500", Message: msg}
	case Unavailable:
		return Problem{Status: 503, Code: "E503", Message: msg}
	case NotFound:
		return Problem{Status: 404, Code: "E404", Message: msg}
	case MethodNotAllowed:
		return Problem{Status: 405, Code: "E405", Message: msg}
	}
	return Problem{Status: 400, Code: "E400", Message: msg, Fields: fields}
}

func (*toy) Tenant(r *http.Request) (string, *Problem) {
	if t := r.Header.Get("tenant"); t != "" {
		return t, nil
	}
	return "", &Problem{Status: 400, Code: "E400", Message: "tenant: header is required", Fields: []string{"tenant"}}
}

func (*toy) WriteProblem(w http.ResponseWriter, _ *http.Request, p Problem) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": p.Code, "message": p.Message, "fields": p.Fields})
}

func (*toy) Mount(r *mux.Router) {
	r.HandleFunc("/toy/echo", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Word string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		if in.Word == "panic" {
			panic("the toy broke")
		}
		if f := CallFrom(r.Context()).Forced; f != nil {
			in.Word = "forced " + f.Name
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"word":%q}`, in.Word)
	}).Methods(http.MethodPost)
}

var toyOp = scenarios.Operation{API: "toy", ID: "echo", Method: "POST", Path: "/toy/echo", Outcomes: []scenarios.Outcome{
	{Name: scenarios.OK, Status: 200},
	{Name: "refused", Status: 400, Code: "E400", Message: "refused"},
	{Name: "broken", Status: 500, Code: "E500", Message: "broken"},
	{Name: "down", Status: 503, Code: "E503", Message: "down"},
}}

// toyServer is a pipeline over the toy API with the standard stages and the journal.
type toyServer struct {
	*httptest.Server
	journal *journal.Journal
	seen    *observed
}

type observed struct {
	mu  sync.Mutex
	all []Finished
}

func (o *observed) Observe(f *Finished, _ *Call, _ *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.all = append(o.all, *f)
}

func (o *observed) last(t *testing.T) Finished {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.all) == 0 {
		t.Fatal("no call was observed")
	}
	return o.all[len(o.all)-1]
}

func newToyServer(t *testing.T, stages ...Stage) *toyServer {
	t.Helper()
	cat := scenarios.NewCatalogue()
	cat.Add(toyOp)
	engine := scenarios.NewEngine(cat)
	if stages == nil {
		stages = Stages(engine, 0)
	}
	j := journal.New(10)
	seen := &observed{}
	p := &Pipeline{
		Stages:    stages,
		Observers: []Observer{Journal{Journal: j, Clock: &clock.Clock{}}, seen},
		Engine:    engine,
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	r := mux.NewRouter()
	if _, err := p.Router(r, newToy(t)); err != nil {
		t.Fatal(err)
	}
	// Another route after the partner ones, as the admin API is: it needs mux's route.
	r.HandleFunc("/other/{name}", func(w http.ResponseWriter, r *http.Request) {
		tpl, _ := mux.CurrentRoute(r).GetPathTemplate()
		fmt.Fprintf(w, "%s %s", tpl, mux.Vars(r)["name"])
	})
	srv := httptest.NewServer(p.Handler(r))
	t.Cleanup(srv.Close)
	return &toyServer{Server: srv, journal: j, seen: seen}
}

func (s *toyServer) post(t *testing.T, body string, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, s.URL+"/toy/echo", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("tenant", "T1")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
