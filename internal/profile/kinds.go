package profile

// Kinds tells snapshots how to decode each profile record kind.
func Kinds() map[string]func() any {
	return map[string]func() any{}
}
