package mask

import (
	"strings"
	"testing"
)

func TestPAN(t *testing.T) {
	if got := PAN("6080401234566857"); got != "608040XXXXXX6857" {
		t.Fatalf("PAN = %s", got)
	}
}

func TestBody(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"entityId":"675676"}`, `{"entityId":"675676"}`},
		{`{"cardNumber":"6080401234566857"}`, `{"cardNumber":"608040XXXXXX6857"}`},
		{`{"pan":"6080401234566857","mobile":"9876543210"}`, `{"pan":"608040XXXXXX6857","mobile":"9876543210"}`},
		{`{"pin":"q83vEjRWeJASNFZ4kBI0Vg==","kitNo":"1"}`, `{"pin":"****","kitNo":"1"}`},
		{`{"Pin" : 1234}`, `{"Pin" : "****"}`},
		{`{"otp":"123456","client_secret":"s"}`, `{"otp":"****","client_secret":"****"}`},
	}
	for _, c := range cases {
		if got := string(Body([]byte(c.in))); got != c.want {
			t.Errorf("Body(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestBodyLeavesOtherKeysAndStrings(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"description":"pin","x":"otp"}`, `{"description":"pin","x":"otp"}`},
		{`{"a":"\"pin\": 1","PinBlock":"abc\"def","b":2}`, `{"a":"\"pin\": 1","PinBlock":"****","b":2}`},
		{`{"pin":`, `{"pin":`},
		{`{"pin":"unterminated`, `{"pin":"****"`},
	}
	for _, c := range cases {
		if got := string(Body([]byte(c.in))); got != c.want {
			t.Errorf("Body(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestHasLongDigitRun(t *testing.T) {
	for n := 0; n < 40; n++ {
		for pad := 0; pad < 30; pad++ {
			b := []byte(strings.Repeat("x", pad) + strings.Repeat("7", n) + "y" + strings.Repeat("1", 12))
			if got, want := hasLongDigitRun(b), n >= minPAN; got != want {
				t.Fatalf("pad %d run %d: got %v", pad, n, got)
			}
		}
	}
}

func TestPANs(t *testing.T) {
	if got := string(PANs([]byte(`{"cardNumber":"6080401234566857","pin":"x"}`))); got != `{"cardNumber":"608040XXXXXX6857","pin":"x"}` {
		t.Fatalf("PANs = %s", got)
	}
}

// Secrets masks the fields tagged mask:"secret", by their JSON names, and leaves empty ones.
func TestSecrets(t *testing.T) {
	type hook struct {
		URL    string `json:"url"`
		APIKey string `json:"apiKey,omitempty" mask:"secret"`
		Secret string `json:"secret" mask:"secret"`
		Code   string `mask:"secret"`
	}
	rec := map[string]any{"url": "http://x", "apiKey": "k", "secret": "", "Code": "123456"}
	Secrets(&hook{}, rec)
	if rec["url"] != "http://x" || rec["apiKey"] != Secret || rec["secret"] != "" || rec["Code"] != Secret {
		t.Fatalf("masked: %v", rec)
	}
	Unmasked(&hook{}, rec, map[string]any{"url": "http://y", "apiKey": "k", "Code": "123456"})
	if rec["url"] != "http://x" || rec["apiKey"] != "k" || rec["Code"] != "123456" {
		t.Fatalf("unmasked: %v", rec)
	}
}
