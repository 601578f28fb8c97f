package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/journal"
)

func TestStagesPassAGoodCallToTheHandler(t *testing.T) {
	s := newToyServer(t)
	status, body := s.post(t, `{"word":"hello"}`)
	if status != 200 || body != `{"word":"hello"}` {
		t.Fatalf("%d %s", status, body)
	}
	f := s.seen.last(t)
	if f.Outcome != "ok" || f.Tenant != "T1" || f.Status != 200 || f.OperationID != "echo" || f.API != "toy" {
		t.Fatalf("observed %+v", f)
	}
	entries, err := s.journal.List(context.Background(), journal.Filter{})
	if err != nil || len(entries) == 0 {
		t.Fatalf("journal: %v %v", entries, err)
	}
	e := entries[0]
	if string(e.Request) != `{"word":"hello"}` || string(e.Response) != `{"word":"hello"}` {
		t.Fatalf("journal kept %q → %q", e.Request, e.Response)
	}
}

func TestReadBodyRefusesABodyOverItsLimit(t *testing.T) {
	s := newToyServer(t, ReadBody{Max: 16}, Identify{}, Validate{})
	status, body := s.post(t, `{"word":"0123456789abcdef"}`)
	if status != 400 || !strings.Contains(body, "body: larger than 16 bytes") {
		t.Fatalf("%d %s", status, body)
	}
	if f := s.seen.last(t); f.Outcome != "refused" {
		t.Fatalf("outcome %q", f.Outcome)
	}
	if status, _ := s.post(t, `{"word":"short"}`); status != 200 {
		t.Fatalf("a body within the limit: %d", status)
	}
}

func TestPooledBuffersDoNotKeepLargeBodies(t *testing.T) {
	st := newCallState(nil, &route{api: newToy(t), op: &toyOp})
	st.reqBuf.Write(make([]byte, 2*maxPooled))
	st.resBuf.Write(make([]byte, 10))
	st.release()
	if st.reqBuf.Cap() != 0 || st.resBuf.Cap() == 0 {
		t.Fatalf("after release: request buffer cap %d (want 0), response buffer cap %d (want kept)", st.reqBuf.Cap(), st.resBuf.Cap())
	}
}

func TestIdentifyRefusesAnUnknownCaller(t *testing.T) {
	s := newToyServer(t)
	status, body := s.post(t, `{"word":"hello"}`, "tenant", "")
	if status != 400 || !strings.Contains(body, "tenant: header is required") {
		t.Fatalf("%d %s", status, body)
	}
}

func TestValidateNamesTheOffendingField(t *testing.T) {
	s := newToyServer(t)
	status, body := s.post(t, `{"word":"far too long a word"}`)
	if status != 400 || !strings.Contains(body, "word") || !strings.Contains(body, "maximum") && !strings.Contains(body, "at most") {
		t.Fatalf("%d %s", status, body)
	}
	if f := s.seen.last(t); f.Outcome != "refused" {
		t.Fatalf("outcome %q", f.Outcome)
	}
}

func TestSteerAnswersForcedOutcomes(t *testing.T) {
	s := newToyServer(t)
	status, body := s.post(t, `{"word":"hello"}`, "X-Sandbox-Scenario", "down")
	if status != 503 || !strings.Contains(body, "E503") {
		t.Fatalf("forced error: %d %s", status, body)
	}
	if f := s.seen.last(t); f.Outcome != "down" {
		t.Fatalf("outcome %q", f.Outcome)
	}
	status, body = s.post(t, `{"word":"hello"}`, "X-Sandbox-Scenario", "nonsense")
	if status != 400 || !strings.Contains(body, "nonsense") {
		t.Fatalf("unknown scenario: %d %s", status, body)
	}
	status, body = s.post(t, `{"word":"hello"}`, "X-Sandbox-Fault", "http-500")
	if status != 500 || !strings.Contains(body, "E500") {
		t.Fatalf("fault: %d %s", status, body)
	}
}

func TestRecoverAnswersAPanicAndKeepsServing(t *testing.T) {
	s := newToyServer(t)
	status, body := s.post(t, `{"word":"panic"}`)
	if status != http.StatusInternalServerError || !strings.Contains(body, "sandbox bug") {
		t.Fatalf("%d %s", status, body)
	}
	if f := s.seen.last(t); f.Outcome != "internal-error" || f.Status != 500 {
		t.Fatalf("observed %+v", f)
	}
	if status, _ := s.post(t, `{"word":"again"}`); status != 200 {
		t.Fatalf("after a panic: %d", status)
	}
}

func TestUnmatchedPathsAnswer404And405(t *testing.T) {
	s := newToyServer(t)
	resp, err := http.Get(s.URL + "/toy/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	resp, err = http.Get(s.URL + "/toy/echo")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Fatalf("GET on a POST operation: %d", resp.StatusCode)
	}
}
