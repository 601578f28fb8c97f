package mask

import (
	"reflect"
	"strings"
)

// Secret is what a masked sandbox secret shows.
const Secret = "********"

// Secrets masks, in rec (v as its JSON object), every field that v's struct type tags
// `mask:"secret"`: sandbox secrets such as webhook credentials and OTPs. An empty value
// stays empty (there is nothing to hide, and it says that none is set).
func Secrets(v any, rec map[string]any) {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Tag.Get("mask") != "secret" {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		if s, ok := rec[name]; ok && s != nil && s != "" {
			rec[name] = Secret
		}
	}
}
