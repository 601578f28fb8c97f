package tenant

import (
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	for name, want := range map[string]bool{
		"ACME_BANK": true, "sandbox_client": true, "a.b-c_9": true, strings.Repeat("x", 64): true,
		"": false, strings.Repeat("x", 65): false, "with space": false, "ünï": false, "a/b": false, "%2F": false,
	} {
		if got := Valid(name); got != want {
			t.Errorf("Valid(%q) = %v, want %v", name, got, want)
		}
	}
}
