package partner

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// DCMS Set PIN V2 (seed 003): the request's `pin` is Base64(IV ‖ AES-GCM(ISO 9564 format 0
// PIN block) ‖ tag), with a random 16-byte IV, a 128-bit tag and the tenant's set-PIN key.
const (
	pinIVSize  = 16
	pinTagSize = 16
)

// The ways a Set PIN V2 block can fail, in the order they are checked. Each is a distinct
// message of the documented code (invalid.pin or PIN001).
var (
	ErrPinBase64  = errors.New("pin is not valid Base64")
	ErrPinLength  = errors.New("pin has the wrong length")
	ErrPinAuth    = errors.New("pin could not be decrypted: GCM authentication failed (wrong key, IV, tag or ciphertext)")
	ErrPinFormat  = errors.New("the decrypted PIN block is not a valid ISO 9564 format 0 PIN block for this card")
	ErrPinBadPAN  = errors.New("the PAN must have 13 to 19 digits")
	ErrPinBadPIN  = errors.New("the PIN must have 4 to 12 digits")
	ErrPinBadKey  = errors.New("the key must be 16, 24 or 32 bytes (AES-128, AES-192 or AES-256)")
	errPinBadSize = fmt.Errorf("%w: expected Base64 of a 16-byte IV, an 8-byte (or 16 hex character) PIN block and a 16-byte tag", ErrPinLength)
)

// PinError says which step of reading a Set PIN V2 block failed.
type PinError struct {
	Err    error  // one of the ErrPin... values
	Detail string // what exactly was wrong
}

func (e *PinError) Error() string {
	if e.Detail == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.Detail
}

func (e *PinError) Unwrap() error { return e.Err }

// panBlock is the format 0 PAN field: 0000 and the 12 rightmost digits of the PAN
// excluding the check digit, as 8 bytes.
func panBlock(pan string) ([8]byte, error) {
	var b [8]byte
	if len(pan) < 13 || len(pan) > 19 || !allDigits(pan) {
		return b, ErrPinBadPAN
	}
	digits := "0000" + pan[len(pan)-13:len(pan)-1]
	_, err := hex.Decode(b[:], []byte(digits))
	return b, err
}

// PinBlock builds the clear ISO 9564 format 0 PIN block of pin for pan.
func PinBlock(pan, pin string) ([8]byte, error) {
	var out [8]byte
	if len(pin) < 4 || len(pin) > 12 || !allDigits(pin) {
		return out, ErrPinBadPIN
	}
	p, err := panBlock(pan)
	if err != nil {
		return out, err
	}
	field := []byte(fmt.Sprintf("0%X%s", len(pin), pin))
	for len(field) < 16 {
		field = append(field, 'F')
	}
	if _, err := hex.Decode(out[:], field); err != nil {
		return out, err
	}
	for i := range out {
		out[i] ^= p[i]
	}
	return out, nil
}

// EncryptPinBlock is the whole Set PIN V2 encoding of pin for pan under key: the value of
// the request's `pin`. A nil iv picks a random one. asHex encrypts the block's 16 hex
// characters instead of its 8 bytes (the sandbox accepts either).
func EncryptPinBlock(pan, pin string, key, iv []byte, asHex bool) (string, error) {
	block, err := PinBlock(pan, pin)
	if err != nil {
		return "", err
	}
	gcm, err := pinCipher(key)
	if err != nil {
		return "", err
	}
	if iv == nil {
		iv = make([]byte, pinIVSize)
		if _, err := rand.Read(iv); err != nil {
			return "", err
		}
	}
	if len(iv) != pinIVSize {
		return "", fmt.Errorf("the IV must be %d bytes", pinIVSize)
	}
	plain := block[:]
	if asHex {
		plain = []byte(fmt.Sprintf("%X", block[:]))
	}
	out := append([]byte(nil), iv...)
	out = gcm.Seal(out, iv, plain, nil)
	return base64.StdEncoding.EncodeToString(out), nil
}

func pinCipher(key []byte) (cipher.AEAD, error) {
	switch len(key) {
	case 16, 24, 32:
	default:
		return nil, ErrPinBadKey
	}
	c, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithNonceSize(c, pinIVSize)
}

// DecryptPinBlock reads the `pin` of a Set PIN V2 request for pan under key and returns the
// PIN's length, never the PIN itself (a server only needs to know the block is valid). A
// failure is a *PinError saying which step failed.
func DecryptPinBlock(encoded, pan string, key []byte) (int, error) {
	pin, err := decryptPin(encoded, pan, key)
	return len(pin), err
}

// RevealPin is DecryptPinBlock returning the PIN itself: for checking a block your own code
// built (`sandbox pin-block --check` uses it). The sandbox's server never calls it.
func RevealPin(encoded, pan string, key []byte) (string, error) {
	return decryptPin(encoded, pan, key)
}

func decryptPin(encoded, pan string, key []byte) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		// Some clients send URL-safe or unpadded Base64; accept those too.
		var err2 error
		if raw, err2 = base64.RawURLEncoding.DecodeString(encoded); err2 != nil {
			if raw, err2 = base64.RawStdEncoding.DecodeString(encoded); err2 != nil {
				return "", &PinError{Err: ErrPinBase64, Detail: err.Error()}
			}
		}
	}
	if n := len(raw) - pinIVSize - pinTagSize; n != 8 && n != 16 {
		return "", &PinError{Err: errPinBadSize, Detail: fmt.Sprintf("got %d bytes", len(raw))}
	}
	gcm, err := pinCipher(key)
	if err != nil {
		return "", err
	}
	plain, err := gcm.Open(nil, raw[:pinIVSize], raw[pinIVSize:], nil)
	if err != nil {
		return "", &PinError{Err: ErrPinAuth}
	}
	var block [8]byte
	if len(plain) == 16 {
		if _, err := hex.Decode(block[:], plain); err != nil {
			return "", &PinError{Err: ErrPinFormat, Detail: "the 16-character block is not hexadecimal"}
		}
	} else {
		copy(block[:], plain)
	}
	p, err := panBlock(pan)
	if err != nil {
		return "", err
	}
	for i := range block {
		block[i] ^= p[i]
	}
	return parseFormat0(block)
}

// parseFormat0 checks a clear PIN field (the block XOR the PAN field) and returns the PIN.
func parseFormat0(field [8]byte) (string, error) {
	h := fmt.Sprintf("%X", field[:])
	switch {
	case h[0] != '0':
		return "", &PinError{Err: ErrPinFormat, Detail: fmt.Sprintf("control digit is %c, format 0 needs 0 (was the PAN right?)", h[0])}
	case h[1] < '4' || h[1] > 'C':
		return "", &PinError{Err: ErrPinFormat, Detail: fmt.Sprintf("PIN length digit is %c, must be 4 to C (4 to 12 digits)", h[1])}
	}
	n := int(h[1] - '0')
	if h[1] >= 'A' {
		n = int(h[1]-'A') + 10
	}
	pin := h[2 : 2+n]
	if !allDigits(pin) {
		return "", &PinError{Err: ErrPinFormat, Detail: "the PIN has non-decimal digits (was the PAN right?)"}
	}
	for _, c := range h[2+n:] {
		if c != 'F' {
			return "", &PinError{Err: ErrPinFormat, Detail: "the padding after the PIN is not all F (was the PAN right?)"}
		}
	}
	return pin, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
