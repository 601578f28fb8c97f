package scenarios

import _ "embed" // for FileSchema

// FileSchema is schema.json: the one definition of the scenario-file format, which
// package scenariofile enforces. It lives here, beside the README that documents it, so
// editors and the docs can point at scenarios/schema.json.
//
//go:embed schema.json
var FileSchema []byte
