package server

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// Pipeline.Handler serves partner calls the short way and everything else through the
// router as it is: other routes keep mux's route and variables, unclean paths redirect.
func TestHandlerServesEveryRouteAsMuxWould(t *testing.T) {
	s := newToyServer(t)
	if code, body := s.post(t, `{"word":"hi"}`); code != 200 || body != `{"word":"hi"}` {
		t.Fatalf("partner call: %d %s", code, body)
	}
	if f := s.seen.last(t); f.OperationID != "echo" || f.Tenant != "T1" {
		t.Fatalf("observed %+v", f)
	}
	resp, err := http.Get(s.URL + "/other/x1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "/other/{name} x1" {
		t.Fatalf("another route lost mux's route or variables: %q", b)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noRedirect.Post(s.URL+"/toy//echo", "application/json", strings.NewReader(`{"word":"hi"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/toy/echo" {
		t.Fatalf("an unclean path: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = http.Get(s.URL + "/toy/echo")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("a method the operation does not take: %d", resp.StatusCode)
	}
}

func TestIsClean(t *testing.T) {
	for p, want := range map[string]bool{
		"/": true, "/v1/viewCustomer": true, "/a/b/": true, "": false, "a": false,
		"/a//b": false, "/a/./b": false, "/a/../b": false, "/a/b//": false,
	} {
		if got := isClean(p); got != want {
			t.Errorf("isClean(%q) = %v", p, got)
		}
	}
}
