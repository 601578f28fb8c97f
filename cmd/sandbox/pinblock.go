package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/partnersandbox/sandbox/internal/dcms"
	"github.com/partnersandbox/sandbox/partner"
)

func init() {
	commands["pin-block"] = command{"build or check a DCMS Set PIN V2 block (sandbox pin-block -h)",
		func(w io.Writer) { fmt.Fprintln(w, pinBlockUsage) },
		func(args []string) error { return pinBlock(args, os.Stdout) }}
}

const pinBlockUsage = `usage:
  sandbox pin-block --pan PAN --pin PIN [--key B64] [--iv HEX] [--hex]
      print the Set PIN V2 "pin": Base64(IV ‖ AES-GCM(ISO 9564 format 0 block) ‖ tag)
  sandbox pin-block --kit KITNO --pin PIN [--tenant T] [--sandbox URL] [--request]
      the same for a kit of a running sandbox (its test PAN and the tenant's key come from the
      admin API); --request prints the whole setPin request body instead
  sandbox pin-block --pan PAN --check BLOCK [--key B64]
      read a block (e.g. your own code's): print the PIN, or which step fails
--key defaults to the sandbox's default set-PIN key; --iv (32 hex digits) makes the output
repeatable (default random); --hex encrypts the block's 16 hex characters, not its 8 bytes.`

// pinBlockOptions are pin-block's flags.
type pinBlockOptions struct {
	pan, pin, keyB64, ivHex, check, kitNo, tenant, base string
	asHex, request                                      bool
}

func pinBlockFlags() (*flag.FlagSet, *pinBlockOptions) {
	fs := flag.NewFlagSet("pin-block", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := &pinBlockOptions{}
	fs.StringVar(&o.pan, "pan", "", "the card's full PAN (13 to 19 digits)")
	fs.StringVar(&o.pin, "pin", "", "the PIN (4 to 12 digits)")
	fs.StringVar(&o.keyB64, "key", "", "the tenant's set-PIN AES key, Base64 (default: the sandbox key, or the tenant's with --kit)")
	fs.StringVar(&o.ivHex, "iv", "", "the 16-byte IV as 32 hex digits (default random)")
	fs.BoolVar(&o.asHex, "hex", false, "encrypt the block's 16 hex characters instead of its 8 bytes")
	fs.StringVar(&o.check, "check", "", "a block to read instead of building one")
	fs.StringVar(&o.kitNo, "kit", "", "take the PAN (and key) of this kit from a running sandbox")
	fs.StringVar(&o.tenant, "tenant", "ACME_BANK", "with --kit: the DCMS tenant")
	fs.StringVar(&o.base, "sandbox", sandboxURL(), "with --kit: the sandbox's base URL (default from SANDBOX_ADDR, as serve listens)")
	fs.BoolVar(&o.request, "request", false, "with --kit: print the whole setPin request body")
	return fs, o
}

// pinBlock builds and reads Set PIN V2 blocks the way the sandbox does, so a partner can
// compare their own encoder with a known-good one.
func pinBlock(args []string, out io.Writer) error {
	fs, o := pinBlockFlags()
	if len(args) == 0 {
		return usageErrorf("pin-block", "give --pan or --kit")
	}
	if err := parseFlags("pin-block", fs, args, out); err != nil {
		return err
	}
	key, kit, err := pinBlockInputs(o.kitNo, o.keyB64, o.base, o.tenant)
	if err != nil {
		return err
	}
	if kit.PAN != "" {
		o.pan = kit.PAN
	}
	if o.pan == "" {
		return usageErrorf("pin-block", "give --pan or --kit")
	}
	if o.check != "" {
		got, err := partner.RevealPin(o.check, o.pan, key)
		if err != nil {
			return fmt.Errorf("the sandbox would refuse this block: %w", err)
		}
		fmt.Fprintf(out, "valid format 0 block for PAN %s: PIN %s\n", o.pan, got)
		return nil
	}
	var iv []byte
	if o.ivHex != "" {
		if iv, err = hex.DecodeString(o.ivHex); err != nil || len(iv) != 16 {
			return fmt.Errorf("--iv must be 32 hex digits (16 bytes)")
		}
	}
	block, err := partner.EncryptPinBlock(o.pan, o.pin, key, iv, o.asHex)
	if err != nil {
		return err
	}
	if o.request {
		if o.kitNo == "" {
			return usageErrorf("pin-block", "--request needs --kit")
		}
		return json.NewEncoder(out).Encode(map[string]any{"pin": block, "kitNo": kit.KitNo, "entityId": kit.EntityID, "expiryDate": kit.Expiry})
	}
	fmt.Fprintln(out, block)
	return nil
}

// pinBlockInputs are the key (the sandbox's default, --key, or the tenant's with --kit) and,
// with --kit, the kit's test data from the running sandbox.
func pinBlockInputs(kitNo, keyB64, base, tenant string) ([]byte, pinTestKit, error) {
	key := dcms.DefaultSetPinKey
	var kit pinTestKit
	var err error
	if kitNo != "" {
		if kit, err = fetchTestKit(base, tenant, kitNo); err != nil {
			return nil, kit, err
		}
		if keyB64 == "" {
			if key, err = fetchSetPinKey(base, tenant); err != nil {
				return nil, kit, err
			}
		}
	}
	if keyB64 != "" {
		if key, err = base64.StdEncoding.DecodeString(keyB64); err != nil {
			return nil, kit, fmt.Errorf("--key is not Base64: %v", err)
		}
	}
	return key, kit, nil
}

// sandboxURL is the base URL of a sandbox serving on SANDBOX_ADDR (what `serve` listens on
// by default), or on its default address.
func sandboxURL() string {
	addr := envOr("SANDBOX_ADDR", "127.0.0.1:8080")
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	return "http://" + addr
}

type pinTestKit struct {
	KitNo    string `json:"kitNo"`
	EntityID string `json:"entityId"`
	PAN      string `json:"pan"`
	Expiry   string `json:"expiry"`
}

var pinAdminClient = &http.Client{Timeout: 10 * time.Second}

func pinAdminGet(base, path string, v any) error {
	u := strings.TrimRight(base, "/") + path
	resp, err := pinAdminClient.Get(u)
	if err != nil {
		return fmt.Errorf("is the sandbox running at %s? %w", base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", u, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return json.Unmarshal(body, v)
}

func fetchTestKit(base, tenant, kitNo string) (pinTestKit, error) {
	var k pinTestKit
	err := pinAdminGet(base, "/__sandbox/tenants/"+url.PathEscape(tenant)+"/kits/"+url.PathEscape(kitNo), &k)
	return k, err
}

func fetchSetPinKey(base, tenant string) ([]byte, error) {
	var keys struct {
		SetPinKey string `json:"setPinKey"`
	}
	if err := pinAdminGet(base, "/__sandbox/tenants/"+url.PathEscape(tenant)+"/keys", &keys); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(keys.SetPinKey)
}
