package webhook

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// post sends a delivery to ep and says how it went.
func (d *Deliverer) post(ep *Endpoint, dl *Delivery) attemptResult {
	res := attemptResult{url: ep.URL}
	req, err := http.NewRequestWithContext(d.ctx, http.MethodPost, ep.URL, bytes.NewReader(dl.Body))
	if err != nil {
		res.errText = "bad webhook URL: " + err.Error()
		return res
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "partner-sandbox-webhooks/1")
	req.Header.Set("X-Sandbox-Event", dl.EventType)
	req.Header.Set("X-Sandbox-Delivery", dl.ID)
	req.Header.Set(SignatureHeader, Sign(ep.Secret, dl.Body))
	switch ep.AuthType {
	case "ApiKey":
		req.Header.Set(ep.HeaderName, ep.APIKey)
	case "Basic":
		req.SetBasicAuth(ep.Username, ep.Password)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		var refused *RefusedError
		if errors.As(err, &refused) {
			res.refused, res.errText = true, refused.Error()
		} else {
			res.errText = err.Error()
		}
		return res
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	res.code = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		res.errText = fmt.Sprintf("the webhook answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return res
}
