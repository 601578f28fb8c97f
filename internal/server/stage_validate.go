package server

import (
	"net/http"
	"strings"
)

// Validate checks the request against the operation's contract (parameters the other
// stages do not check, and the body) and refuses it, naming every offending field, in
// the API's envelope.
type Validate struct{}

// Run validates; the body stays readable for the handler.
func (Validate) Run(c *Call, w http.ResponseWriter, r *http.Request) (string, bool) {
	if err := c.check.check(r, c.Body, &c.state.decoded); err != nil {
		fields := Fields(err)
		return reject(c, w, r, c.api.Problem(Invalid, "request does not match the contract: "+strings.Join(fields, "; "), fields))
	}
	c.state.body.Reset(c.Body) // validation read it; the handler reads it again
	return "", false
}
