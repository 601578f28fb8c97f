package server

import (
	"bytes"
	"net/http"

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
