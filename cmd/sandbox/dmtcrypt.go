package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/partnersandbox/sandbox/internal/credentials"
	"github.com/partnersandbox/sandbox/internal/dmt"
	"github.com/partnersandbox/sandbox/partner"
)

func init() {
	commands["dmt-crypt"] = command{"encrypt|decrypt|header-secrets: the DMT encrypted variant (sandbox dmt-crypt -h)",
		func(w io.Writer) { fmt.Fprintln(w, dmtCryptUsage) },
		func(args []string) error { return dmtCrypt(args, os.Stdin, os.Stdout) }}
}

const dmtCryptUsage = `usage:
  sandbox dmt-crypt encrypt [--key B64] [--raw] < body.json    {"RequestData": "..."} (--raw: the Base64 only)
  sandbox dmt-crypt decrypt [--key B64] < answer.json          the plain JSON of {"ResponseData"|"RequestData": "..."} or of bare Base64
  sandbox dmt-crypt header-secrets [--key B64] [--client-id ID] [--client-secret S] [--epoch UNIX]
                                                               the header_secrets value, stamped now unless --epoch
Base64(16-byte IV ‖ AES-256-CBC/PKCS#7), as the DMT encrypted variant; --key defaults to the sandbox key.`

// dmtCrypt encrypts and decrypts bodies the way the DMT encrypted variant does, so a
// partner can try the variant with curl before writing their own code.
func dmtCrypt(args []string, in io.Reader, out io.Writer) error {
	if len(args) == 0 {
		return usageErrorf("dmt-crypt", "give a mode: encrypt, decrypt or header-secrets")
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(out, dmtCryptUsage)
		return nil
	}
	mode := args[0]
	fs := flag.NewFlagSet("dmt-crypt "+mode, flag.ContinueOnError)
	keyB64 := fs.String("key", base64.StdEncoding.EncodeToString(dmt.DefaultKey), "the client's AES-256 key, Base64")
	raw := fs.Bool("raw", false, "encrypt: print the Base64 only, not {\"RequestData\": ...}")
	clientID := fs.String("client-id", credentials.DMTClientID, "header-secrets: client_id")
	secret := fs.String("client-secret", credentials.DMTClientSecret, "header-secrets: client_secret")
	epoch := fs.Int64("epoch", 0, "header-secrets: Unix time in seconds (default now)")
	if err := parseFlags("dmt-crypt", fs, args[1:], out); err != nil {
		return err
	}
	key, err := base64.StdEncoding.DecodeString(*keyB64)
	if err != nil || len(key) != partner.DMTKeySize {
		return fmt.Errorf("--key must be %d bytes in Base64", partner.DMTKeySize)
	}
	switch mode {
	case "encrypt":
		return dmtEncrypt(key, *raw, in, out)
	case "decrypt":
		return dmtDecrypt(key, in, out)
	case "header-secrets":
		at := *epoch
		if at == 0 {
			at = time.Now().Unix()
		}
		ct, err := partner.DMTHeaderSecrets(key, *clientID, *secret, at)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(out, ct)
		return err
	default:
		return usageErrorf("dmt-crypt", "unknown mode %q", mode)
	}
}

// dmtEncrypt encrypts the plain JSON body on in as {"RequestData": ...} (raw: the Base64 only).
func dmtEncrypt(key []byte, raw bool, in io.Reader, out io.Writer) error {
	body, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	body = bytes.TrimSpace(body)
	if !json.Valid(body) {
		return errors.New("stdin is not JSON: give the plain request body")
	}
	ct, err := partner.EncryptDMT(key, body)
	if err != nil {
		return err
	}
	if raw {
		_, err = fmt.Fprintln(out, ct)
		return err
	}
	return json.NewEncoder(out).Encode(map[string]string{"RequestData": ct})
}

// dmtDecrypt prints the plain JSON of {"ResponseData"|"RequestData": ...} or of bare Base64 on in.
func dmtDecrypt(key []byte, in io.Reader, out io.Writer) error {
	data, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	ct := string(bytes.TrimSpace(data))
	var wrapped map[string]any
	if json.Unmarshal(data, &wrapped) == nil {
		s, ok := wrapped["ResponseData"].(string)
		if !ok {
			s, ok = wrapped["RequestData"].(string)
		}
		if !ok {
			return errors.New(`stdin is JSON without a "ResponseData" or "RequestData" string (a plain answer needs no decrypting)`)
		}
		ct = s
	}
	plain, err := partner.DecryptDMT(key, ct)
	if err != nil {
		return fmt.Errorf("cannot decrypt: %w", err)
	}
	_, err = fmt.Fprintln(out, string(plain))
	return err
}
