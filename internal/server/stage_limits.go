package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
)

// MaxBody is the largest request body accepted of an API whose contract states no
// bodyBytes (x-sandbox-limits).
const MaxBody = 16 << 20

// ReadBody reads the request body once, up to its limit, into the call's buffer: the
// validator and then the handler read it again from there, and the journal keeps it.
type ReadBody struct {
	Max int // 0: the API's bodyBytes (uploadBytes for multipart bodies), else MaxBody
}

// Run reads the body; one over the limit, or one that cannot be read, is refused. A body
// is never cut: one over the limit is answered with the API's invalid-request error.
func (s ReadBody) Run(c *Call, w http.ResponseWriter, r *http.Request) (string, bool) {
	if r.Body == nil {
		return "", false
	}
	limit, name := s.Max, "bodyBytes"
	switch {
	case limit > 0:
	case c.limits != nil:
		limit = c.limits.bodyLimit(r.Header.Get("Content-Type"))
		if limit != c.limits.BodyBytes {
			name = "uploadBytes"
		}
	default:
		limit = MaxBody
	}
	if r.ContentLength > int64(limit) {
		return rejectBreach(c, w, r, tooLarge(limit, name))
	}
	st := c.state
	st.limited = io.LimitedReader{R: r.Body, N: int64(limit) + 1}
	if _, err := st.reqBuf.ReadFrom(&st.limited); err != nil {
		// A read cut by the server (--read-timeout, or shutdown ending reads) is answered:
		// the client is still there. Any other failed read with the call's context done
		// is a client that went away.
		var ne net.Error
		if r.Context().Err() != nil && !(errors.As(err, &ne) && ne.Timeout()) {
			return clientGone, true
		}
		return reject(c, w, r, c.api.Problem(Invalid, "body: could not be read: "+err.Error(), []string{"body: could not be read"}))
	}
	if st.reqBuf.Len() > limit {
		return rejectBreach(c, w, r, tooLarge(limit, name))
	}
	c.Body = st.reqBuf.Bytes()
	st.body.Reset(c.Body)
	r.Body = &st.body
	return "", false
}

func tooLarge(limit int, name string) *Breach {
	return &Breach{Path: "body", Limit: name, Reason: fmt.Sprintf("larger than %d bytes", limit)}
}
