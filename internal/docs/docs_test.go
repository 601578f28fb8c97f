package docs

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// redocSHA256 is the SHA-256 of package/bundles/redoc.standalone.js in redoc@2.5.0 on npm
// (assets/README.md); `make update-redoc` prints the value for another version.
const redocSHA256 = "0ec05be285ac885a330289b02f470e1bdbd2b6b3223a9fa213f24bf805a851d1"

// TestVendoredBundle proves the embedded bundle is the published one, byte for byte, and
// that its licences travel with it.
func TestVendoredBundle(t *testing.T) {
	sum := sha256.Sum256(bundle)
	if got := hex.EncodeToString(sum[:]); got != redocSHA256 {
		t.Fatalf("assets/redoc.standalone.js has SHA-256 %s, want %s (redoc 2.5.0 from npm)", got, redocSHA256)
	}
	for file, want := range map[string]string{
		"assets/LICENSE":                         "Copyright (c) 2015-present, Rebilly, Inc.",
		"assets/redoc.standalone.js.LICENSE.txt": "@license",
		"assets/README.md":                       redocSHA256,
	} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), want) {
			t.Errorf("%s does not contain %q", file, want)
		}
	}
}
