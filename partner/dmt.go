package partner

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The DMT-lite encrypted variant (seed 001, "Sample Request Body (Encrypted)"): Base64 of a
// random 16-byte IV followed by the AES-256-CBC ciphertext of the PKCS#7-padded plain text.
// The body travels as {"RequestData": …} and comes back as {"ResponseData": …}; the
// header_secrets header is the same encryption of {"client_id", "client_secret", "epoch"}.

// Each way a ciphertext can be wrong has its own error, so a partner learns which step of
// their encryption to fix.
var (
	ErrDMTBase64   = errors.New("not valid Base64")
	ErrDMTLength   = errors.New("too short or not block-aligned (it must be a 16-byte IV followed by a multiple of 16 bytes of ciphertext)")
	ErrDMTPadding  = errors.New("bad PKCS#7 padding (the key is right, but the plain text must end with N bytes of value N, N from 1 to 16)")
	ErrDMTWrongKey = errors.New("wrong key (the decrypted text is unreadable: check the AES-256 key, and that the IV is the first 16 bytes)")
)

// DMTKeySize is the AES-256 key length in bytes.
const DMTKeySize = 32

// EncryptDMT returns Base64(IV ‖ AES-256-CBC(PKCS#7(plain))) with a random IV: the value of
// RequestData for a plain JSON body.
func EncryptDMT(key, plain []byte) (string, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", fmt.Errorf("AES key: %w", err)
	}
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	out := make([]byte, aes.BlockSize+len(plain)+pad)
	iv := out[:aes.BlockSize]
	if _, err := rand.Read(iv); err != nil {
		return "", err
	}
	body := out[aes.BlockSize:]
	copy(body, plain)
	for i := len(plain); i < len(body); i++ {
		body[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(body, body)
	return base64.StdEncoding.EncodeToString(out), nil
}

// DecryptDMT reverses EncryptDMT (a ResponseData, or a RequestData). Base64 with or without padding is accepted, and line breaks
// (as `base64` wraps its output) are ignored. A wrong key cannot be told from bad padding
// by the padding alone, so the plain text decides: JSON text with bad padding means the
// key is right and the padding is wrong; unreadable bytes mean the key is wrong.
func DecryptDMT(key []byte, b64 string) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("AES key: %w", err)
	}
	data, err := decodeBase64(b64)
	if err != nil {
		return nil, ErrDMTBase64
	}
	if len(data) < 2*aes.BlockSize || len(data)%aes.BlockSize != 0 {
		return nil, ErrDMTLength
	}
	iv, body := data[:aes.BlockSize], data[aes.BlockSize:]
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(body, body)
	n := int(body[len(body)-1])
	if n < 1 || n > aes.BlockSize || !bytes.Equal(body[len(body)-n:], bytes.Repeat([]byte{byte(n)}, n)) {
		if readable(body) {
			return nil, ErrDMTPadding
		}
		return nil, ErrDMTWrongKey
	}
	plain := body[:len(body)-n]
	if !readable(plain) && !utf8.Valid(plain) {
		// Padding that looks valid by chance (about 1 in 256 with a wrong key). Readable
		// text that is not JSON is the caller's to judge.
		return nil, ErrDMTWrongKey
	}
	return plain, nil
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if data, err := base64.StdEncoding.DecodeString(s); err == nil {
		return data, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// readable says whether b starts like JSON text: '{' or '[' after optional white space,
// and its first 16 bytes (or all of it, if shorter) printable. Random bytes pass with a
// chance of about 1 in 10^8; JSON followed by zero or no padding passes.
func readable(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\r\n")
	if len(t) == 0 || (t[0] != '{' && t[0] != '[') {
		return false
	}
	for _, c := range b[:min(len(b), aes.BlockSize)] {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c >= 0x7f {
			return false
		}
	}
	return true
}

// DMTHeaderSecrets is the header_secrets value of the encrypted variant: the encryption of
// {"client_id", "client_secret", "epoch"} (Unix seconds; the server accepts five minutes
// either side of its own clock, so stamp it with time.Now().Unix()).
func DMTHeaderSecrets(key []byte, clientID, clientSecret string, epoch int64) (string, error) {
	plain, err := json.Marshal(struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		Epoch        int64  `json:"epoch"`
	}{clientID, clientSecret, epoch})
	if err != nil {
		return "", err
	}
	return EncryptDMT(key, plain)
}
