package server

import (
	"log/slog"
	"net/http"
)

// recoverPanic turns a handler's panic into the API's internal-error answer (if nothing
// was written yet) and a log line: a sandbox bug never takes the server down. A deliberate
// http.ErrAbortHandler (a dropped connection) is passed on for net/http to handle.
func recoverPanic(v any, log *slog.Logger, c *Call, w *recorder, r *http.Request) {
	if v == nil || v == http.ErrAbortHandler {
		return
	}
	log.Error("handler panic", "operationId", c.Op.ID, "panic", v)
	if !w.wrote {
		c.Outcome = "internal-error"
		c.api.WriteProblem(w, r, c.api.Problem(Internal, "the sandbox failed to answer; this is a sandbox bug", nil))
	}
}
