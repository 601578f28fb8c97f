package server

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

type testRefusal struct{ status int }

func (e *testRefusal) Error() string { return "refused" }

func TestRefuse(t *testing.T) {
	refusal := func(err error) (int, string, bool) {
		var e *testRefusal
		if !errors.As(err, &e) {
			return 0, "", false
		}
		return e.status, "body", true
	}
	answers := Answers[string, string]{http.StatusBadRequest: func(b string) string { return "400:" + b }}

	if got, err := Refuse(&testRefusal{http.StatusBadRequest}, refusal, answers); err != nil || got != "400:body" {
		t.Fatalf("a documented refusal: %q, %v", got, err)
	}
	own := errors.New("store down")
	if got, err := Refuse(own, refusal, answers); err != own || got != "" {
		t.Fatalf("the sandbox's own failure: %q, %v", got, err)
	}
	if _, err := Refuse(&testRefusal{http.StatusConflict}, refusal, answers); err == nil || !strings.Contains(err.Error(), "409") {
		t.Fatalf("an undocumented status: %v", err)
	}
	if _, err := Refuse(nil, refusal, answers); err == nil {
		t.Fatal("neither a refusal nor an error answered nothing")
	}
}
