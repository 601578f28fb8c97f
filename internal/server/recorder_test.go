package server

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// WriteJSON writes what the generated strict handlers write, through the pipeline's
// recorder (whose buffer the journal reads) and elsewhere.
func TestWriteJSON(t *testing.T) {
	v := map[string]any{"html": "<b>&</b>", "n": 1}
	var want bytes.Buffer
	if err := json.NewEncoder(&want).Encode(v); err != nil {
		t.Fatal(err)
	}
	plain := httptest.NewRecorder()
	var journal bytes.Buffer
	through := httptest.NewRecorder()
	rec := &recorder{ResponseWriter: through, body: &journal}
	for name, w := range map[string]*httptest.ResponseRecorder{"plain": plain, "recorder": through} {
		var err error
		if w == through {
			err = WriteJSON(rec, 201, v)
		} else {
			err = WriteJSON(w, 201, v)
		}
		if err != nil {
			t.Fatal(err)
		}
		if w.Code != 201 || w.Header().Get("Content-Type") != "application/json" || w.Body.String() != want.String() {
			t.Errorf("%s: %d %q %q, want %q", name, w.Code, w.Header().Get("Content-Type"), w.Body, want.String())
		}
	}
	if rec.status != 201 || journal.String() != want.String() {
		t.Errorf("the journal's copy: %d %q", rec.status, journal.String())
	}
	if err := WriteJSON(httptest.NewRecorder(), 200, func() {}); err == nil {
		t.Error("a value JSON cannot encode: no error")
	}
}
