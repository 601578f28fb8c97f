package dcms

import "github.com/partnersandbox/sandbox/partner"

// Set PIN V2 blocks are read with package partner, with which partners' Go code builds
// them; the domain keeps these names for what it uses.
type PinError = partner.PinError

var (
	ErrPinFormat    = partner.ErrPinFormat
	DecryptPinBlock = partner.DecryptPinBlock
)

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
