package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// LimitsExtension is the contract extension (at the top of each partner API's document)
// that states the API's request limits; the pipeline reads them from there at start, so the
// contract is their one definition.
const LimitsExtension = "x-sandbox-limits"

// maxDepth is the deepest JSON nesting a contract may allow: the scan keeps its path in a
// fixed array, so checking a body allocates nothing.
const maxDepth = 64

// Limits are what an API accepts of a request body before its contract check runs: the
// check's cost grows with the body's shape, so the shape is bounded first.
type Limits struct {
	// BodyBytes bounds every body but multipart uploads.
	BodyBytes int `json:"bodyBytes"`
	// UploadBytes bounds a multipart/form-data body (document uploads); 0: BodyBytes.
	UploadBytes int `json:"uploadBytes,omitempty"`
	// JSONDepth bounds how deep objects and arrays nest (the body itself is level 1).
	JSONDepth int `json:"jsonDepth"`
	// ObjectFields bounds the fields of any one object.
	ObjectFields int `json:"objectFields"`
	// ArrayItems bounds the items of any one array.
	ArrayItems int `json:"arrayItems"`
}

// LimitsOf reads a contract's x-sandbox-limits; a contract without them has no shape
// limits (its bodies are bounded by MaxBody only).
func LimitsOf(doc *openapi3.T) (*Limits, error) {
	raw, ok := doc.Extensions[LimitsExtension]
	if !ok {
		return nil, nil
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", LimitsExtension, err)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var l Limits
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("%s: %w", LimitsExtension, err)
	}
	if l.BodyBytes <= 0 || l.JSONDepth <= 0 || l.ObjectFields <= 0 || l.ArrayItems <= 0 || l.UploadBytes < 0 {
		return nil, fmt.Errorf("%s: bodyBytes, jsonDepth, objectFields and arrayItems must all be positive", LimitsExtension)
	}
	if l.JSONDepth > maxDepth {
		return nil, fmt.Errorf("%s: jsonDepth %d is more than the sandbox supports (%d)", LimitsExtension, l.JSONDepth, maxDepth)
	}
	return &l, nil
}

// bodyLimit is the most bytes a body of this Content-Type may have.
func (l *Limits) bodyLimit(contentType string) int {
	if l.UploadBytes > 0 && strings.HasPrefix(strings.ToLower(strings.TrimSpace(contentType)), "multipart/") {
		return l.UploadBytes
	}
	return l.BodyBytes
}

// Breach is a body beyond one of its API's limits.
type Breach struct {
	Path   string // where: body, body.a.b, body.items[3]
	Limit  string // the x-sandbox-limits key: jsonDepth, objectFields, arrayItems, bodyBytes
	Reason string // what was beyond it
}

// Field is the breach as a field line: `body.items: more than 1000 items (x-sandbox-limits arrayItems)`.
func (b *Breach) Field() string {
	return fmt.Sprintf("%s: %s (limit %s in the contract's %s)", b.Path, b.Reason, b.Limit, LimitsExtension)
}

// frame is one open object or array of the scan.
type frame struct {
	array   bool
	wantKey bool // an object expects a key next
	count   int  // fields or items so far
	key     []byte
}

// scanJSON walks a JSON body's structure and returns the first breach of l, or nil. It
// does not validate the JSON (the contract check does): on anything it does not expect it
// stops, and a body that ends early is checked as far as it goes. It allocates nothing
// unless it finds a breach, and stops when ctx ends (errClientGone).
//
// It is longer than the house's 50 lines on purpose: one loop over the bytes, one case per
// token, is the scanner's whole state machine in one place, with its stack an array on the
// goroutine's stack (split into methods, the state would move into a struct that escapes).
func (l *Limits) scanJSON(ctx context.Context, b []byte) (*Breach, error) {
	var stack [maxDepth]frame
	depth := 0
	// value notes the start of a value: an item of the array it is in.
	value := func() *Breach {
		if depth == 0 || !stack[depth-1].array {
			return nil
		}
		f := &stack[depth-1]
		f.count++
		if f.count > l.ArrayItems {
			return &Breach{Path: scanPath(stack[:depth-1]), Limit: "arrayItems", Reason: fmt.Sprintf("more than %d items in one array", l.ArrayItems)}
		}
		return nil
	}
	for i, n := 0, len(b); i < n; {
		if i&0xffff == 0 && i > 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		c := b[i]
		switch c {
		case ' ', '\t', '\n', '\r', ':':
			i++
		case ',':
			if depth > 0 && !stack[depth-1].array {
				stack[depth-1].wantKey = true
			}
			i++
		case '{', '[':
			if br := value(); br != nil {
				return br, nil
			}
			if depth == l.JSONDepth {
				return &Breach{Path: scanPath(stack[:depth]), Limit: "jsonDepth", Reason: fmt.Sprintf("objects and arrays nested more than %d levels deep", l.JSONDepth)}, nil
			}
			stack[depth] = frame{array: c == '[', wantKey: c == '{'}
			depth++
			i++
		case '}', ']':
			if depth == 0 {
				return nil, nil // malformed: the contract check says so
			}
			depth--
			i++
		case '"':
			end := skipString(b, i)
			if f := depth - 1; f >= 0 && !stack[f].array && stack[f].wantKey {
				fr := &stack[f]
				fr.wantKey = false
				fr.count++
				fr.key = b[i+1 : max(i+1, end-1)]
				if fr.count > l.ObjectFields {
					return &Breach{Path: scanPath(stack[:f]), Limit: "objectFields", Reason: fmt.Sprintf("more than %d fields in one object", l.ObjectFields)}, nil
				}
			} else if br := value(); br != nil {
				return br, nil
			}
			i = end
		default: // a number, true, false, null (or junk: the contract check names it)
			if br := value(); br != nil {
				return br, nil
			}
			for i < n && !delimiter(b[i]) {
				i++
			}
		}
	}
	return nil, nil
}

// skipString returns the index just past the string starting at b[i] (a quote), or len(b).
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

func delimiter(c byte) bool {
	switch c {
	case ',', ']', '}', ':', ' ', '\t', '\n', '\r', '"', '{', '[':
		return true
	}
	return false
}

// maxKeyInPath is the most of one key a breach's path repeats.
const maxKeyInPath = 64

// scanPath names the value the open frames lead to: body, body.a[2].b.
func scanPath(frames []frame) string {
	var sb strings.Builder
	sb.WriteString("body")
	for _, f := range frames {
		if f.array {
			sb.WriteByte('[')
			sb.WriteString(strconv.Itoa(f.count - 1))
			sb.WriteByte(']')
			continue
		}
		sb.WriteByte('.')
		if len(f.key) > maxKeyInPath {
			sb.Write(f.key[:maxKeyInPath])
			sb.WriteString("...")
			continue
		}
		sb.Write(f.key)
	}
	return sb.String()
}
