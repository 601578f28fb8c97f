package dmt

// Kinds tells snapshots how to decode each DMT record kind.
func Kinds() map[string]func() any {
	return map[string]func() any{}
}
