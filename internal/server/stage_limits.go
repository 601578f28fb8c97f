package server

import (
	"fmt"
	"io"
	"net/http"
)

// MaxBody is the largest request body accepted (document uploads are the largest).
const MaxBody = 16 << 20

// ReadBody reads the request body once, up to Max bytes, into the call's buffer: the
// validator and then the handler read it again from there, and the journal keeps it.
type ReadBody struct {
	Max int // 0: MaxBody
}

// Run reads the body; one over the limit, or one that cannot be read, is refused.
func (s ReadBody) Run(c *Call, w http.ResponseWriter, r *http.Request) (string, bool) {
	if r.Body == nil {
		return "", false
	}
	limit := s.Max
	if limit <= 0 {
		limit = MaxBody
	}
	st := c.state
	st.limited = io.LimitedReader{R: r.Body, N: int64(limit) + 1}
	if _, err := st.reqBuf.ReadFrom(&st.limited); err != nil {
		return reject(c, w, r, c.api.Problem(Invalid, "body: could not be read: "+err.Error(), []string{"body: could not be read"}))
	}
	if st.reqBuf.Len() > limit {
		return reject(c, w, r, c.api.Problem(Invalid, fmt.Sprintf("body: larger than %d bytes", limit), []string{"body: too large"}))
	}
	c.Body = st.reqBuf.Bytes()
	st.body.Reset(c.Body)
	r.Body = &st.body
	return "", false
}
