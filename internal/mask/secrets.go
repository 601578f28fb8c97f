package mask

import (
	"reflect"
	"strings"
)

// Withheld is what the admin API shows in place of a sandbox secret it does not show (a
// webhook's API key or password, or any secret in a tenant token's snapshot); the journal
// masks with Secret.
const Withheld = "********"

// Secrets masks, in rec (v as its JSON object), every field that v's struct type tags
// `mask:"secret"`: sandbox secrets such as webhook credentials and OTPs. An empty value
// stays empty (there is nothing to hide, and it says that none is set).
func Secrets(v any, rec map[string]any) {
	for _, name := range taggedSecrets(v) {
		if s, ok := rec[name]; ok && s != nil && s != "" {
			rec[name] = Withheld
		}
	}
}

// taggedSecrets are the JSON names of the fields v's struct type tags `mask:"secret"`.
func taggedSecrets(v any) []string {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Tag.Get("mask") != "secret" {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}

// Unmasked puts back, in rec (a record of v's type as its JSON object, as a client sent
// it), each secret field that still shows Withheld, from current (the record as stored): a
// masked snapshot restored by who downloaded it keeps the secrets it could not see.
func Unmasked(v any, rec, current map[string]any) {
	for _, name := range taggedSecrets(v) {
		if rec[name] == Withheld {
			if cur, ok := current[name]; ok {
				rec[name] = cur
			}
		}
	}
}
