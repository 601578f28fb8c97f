// Package partner is the client side of what the sandbox's partner APIs need beyond plain
// JSON: the pieces a partner's own code must build, in Go, for the sandbox and for the real
// systems alike.
//
//   - DCMS Set PIN V2: EncryptPinBlock builds the request's `pin` (ISO 9564 format 0 block,
//     AES-GCM with the tenant's set-PIN key, Base64(IV ‖ ciphertext ‖ tag)); RevealPin reads
//     one back, saying which step fails.
//   - DMT-lite encrypted variant: EncryptDMT and DecryptDMT (Base64(IV ‖ AES-256-CBC/PKCS#7))
//     for RequestData and ResponseData, and DMTHeaderSecrets for the header_secrets header.
//
// The sandbox uses this package itself to read what partners send, and `sandbox pin-block`
// and `sandbox dmt-crypt` are built on it. The keys are the caller's: the sandbox's
// documented ones are in sandboxtest (SetPinKey, DMTKey) and in GET /__sandbox/tenants/{tenant}/keys.
package partner
