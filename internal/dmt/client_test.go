package dmt_test

import (
	"bytes"
	"testing"

	"github.com/partnersandbox/sandbox/internal/credentials"
	"github.com/partnersandbox/sandbox/internal/dmt"
)

func TestParseClient(t *testing.T) {
	c, err := dmt.ParseClient("acme:s3cret:pk:" + otherKeyB64)
	if err != nil || c.ID != "acme" || c.Secret != "s3cret" || c.PassKey != "pk" || !bytes.Equal(c.Key, otherKey) {
		t.Fatalf("%+v %v", c, err)
	}
	c, err = dmt.ParseClient("acme:s3cret")
	if err != nil || c.PassKey != credentials.DMTPassKey || c.Key != nil {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	for _, bad := range []string{"acme", ":x", "acme:s:pk:c2hvcnQ=", "ac me:s", "a/b:s"} {
		if _, err := dmt.ParseClient(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
