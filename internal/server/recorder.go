package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/partnersandbox/sandbox/internal/journal"
)

// recorder passes the response through and keeps a copy (up to what the journal keeps).
type recorder struct {
	http.ResponseWriter
	body   *bytes.Buffer
	status int
	wrote  bool
}

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.status, r.wrote = http.StatusOK, true
	}
	if room := journal.MaxBody - r.body.Len(); room > 0 {
		r.body.Write(b[:min(len(b), room)])
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// replayBody lets the validator and then the handler read the same request bytes.
type replayBody struct{ bytes.Reader }

func (*replayBody) Close() error { return nil }

var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// contentTypeJSON is the Content-Type header WriteJSON sets, one slice for every answer
// (as Header.Set would make one per answer); nothing changes a header value in place.
var contentTypeJSON = []string{"application/json"}

// WriteJSON answers status with v as a JSON body, byte for byte what the generated strict
// handlers write (encoding/json's Encoder: HTML-escaped, a final newline), without their
// buffer per call: through the pipeline, v is encoded straight into the call's response
// buffer, which the journal then reads; elsewhere into a pooled buffer.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	rec, ok := w.(*recorder)
	if !ok || rec.wrote || rec.body.Len() > 0 {
		buf := jsonBuffers.Get().(*bytes.Buffer)
		defer func() {
			if buf.Cap() <= maxPooled {
				buf.Reset()
				jsonBuffers.Put(buf)
			}
		}()
		if err := json.NewEncoder(buf).Encode(v); err != nil {
			return err
		}
		w.Header()["Content-Type"] = contentTypeJSON
		w.WriteHeader(status)
		_, err := w.Write(buf.Bytes())
		return err
	}
	if err := json.NewEncoder(rec.body).Encode(v); err != nil {
		rec.body.Reset()
		return err
	}
	rec.Header()["Content-Type"] = contentTypeJSON
	rec.WriteHeader(status)
	_, err := rec.ResponseWriter.Write(rec.body.Bytes()) // the journal's copy is already there
	return err
}
