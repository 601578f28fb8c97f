// Package tenant holds the one rule every tenant name follows, wherever it comes from (a
// DCMS tenant header, a DMT client_id, a profile tenantId, an admin URL): 1 to 64 ASCII
// letters, digits, '_', '-' or '.'. Names appear in admin URLs and in store keys, so
// nothing else is accepted.
package tenant

// Rule says the rule in words, for error messages.
const Rule = "a tenant name has 1 to 64 letters, digits, '_', '-' or '.'"

// MaxLen is the longest tenant name.
const MaxLen = 64

// Valid says whether name follows the rule.
func Valid(name string) bool {
	if len(name) == 0 || len(name) > MaxLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
