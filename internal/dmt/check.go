package dmt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	gen "github.com/partnersandbox/sandbox/generated/dmt"
)

// request is a decoded plain request body.
type request map[string]any

// str is a field's string value, "" when absent or not a string.
func (r request) str(name string) string {
	s, _ := r[name].(string)
	return s
}

// blank says whether a field is missing, null or only white space: the vendor's "Must Not
// Be Empty or Null".
func (r request) blank(name string) bool {
	v, ok := r[name]
	if !ok || v == nil {
		return true
	}
	s, isString := v.(string)
	return isString && strings.TrimSpace(s) == ""
}

// invalid is the answer to a contract violation.
func invalid(format string, args ...any) *result {
	return &result{outcome: outInvalidRequest, desc: "Invalid request: " + fmt.Sprintf(format, args...)}
}

// parse reads a request body in either variant. For the encrypted variant it returns the
// RequestData (cipher != nil) and no request; for the plain variant the request, already
// checked by check. fail is the answer to a body that is neither.
//
// The pipeline validates the body against the contract before the handler runs, but a
// plain body missing a mandatory field fails the contract's oneOf as a whole, and its
// error names no field; so both the pipeline's rejection (WriteProblem) and the handler
// run this one function, which says what the vendor says.
func (o *opSpec) parse(raw []byte) (req request, cipher *string, fail *result) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, nil, invalid("body is empty; send a JSON object")
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, nil, invalid("body is not valid JSON")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, nil, invalid("body must be a JSON object")
	}
	req = request(m)
	rd, encrypted := req["RequestData"]
	if encrypted && len(req) == 1 {
		s, ok := rd.(string)
		if !ok {
			return req, nil, invalid("RequestData must be a string (Base64)")
		}
		return nil, &s, nil
	}
	fail = o.check(req)
	if fail != nil && encrypted {
		// Neither variant: say what the encrypted one needs rather than list plain fields.
		return req, nil, invalid(`RequestData must be the only field of an encrypted body: {"RequestData": "<Base64>"}`)
	}
	return req, nil, fail
}

// parsePlain reads a decrypted body, which can only be the plain variant.
func (o *opSpec) parsePlain(plain []byte) (request, *result) {
	var m map[string]any
	if err := json.Unmarshal(plain, &m); err != nil || m == nil {
		return nil, &result{outcome: outUndecryptable, desc: "Unable to decrypt RequestData: it decrypts, but not to a JSON object"}
	}
	req := request(m)
	return req, o.check(req)
}

// check applies the contract's plain schema, then the mandatory fields: first every field
// of the wrong type or outside its enum, together; else the first mandatory field that is
// missing, empty or null, with the vendor's message for it.
func (o *opSpec) check(req request) *result {
	var problems []string
	for _, f := range o.fields {
		v, ok := req[f.name]
		if !ok {
			continue
		}
		mandatory := f.missing != "" && (f.when == nil || f.when(req))
		if mandatory && req.blank(f.name) {
			continue // reported below, in the vendor's words
		}
		if v == nil {
			problems = append(problems, f.name+" must be a string, not null")
			continue
		}
		if err := o.schema.Properties[f.name].Value.VisitJSON(v); err != nil {
			problems = append(problems, f.name+" "+describe(err))
		}
	}
	if len(problems) > 0 {
		return invalid("%s", strings.Join(problems, "; "))
	}
	for _, f := range o.fields {
		if f.missing != "" && (f.when == nil || f.when(req)) && req.blank(f.name) {
			return &result{outcome: f.missing}
		}
	}
	return nil
}

// describe words a property's schema error as the contract's description does:
// `must be a string`, `must be one of "1", "2"`.
func describe(err error) string {
	var se *openapi3.SchemaError
	if !errors.As(err, &se) {
		return "is invalid: " + err.Error()
	}
	switch se.SchemaField {
	case "type":
		if se.Schema.Type.Is("string") {
			return "must be a string"
		}
		return "must be of type " + strings.Join(se.Schema.Type.Slice(), " or ")
	case "enum":
		vals := make([]string, len(se.Schema.Enum))
		for i, v := range se.Schema.Enum {
			vals[i] = fmt.Sprintf("%q", fmt.Sprint(v))
		}
		return "must be one of " + strings.Join(vals, ", ")
	default:
		return se.Reason
	}
}

// render builds the plain answer for a result. name is the customer's name to show.
func (o *opSpec) render(res result, req request, name string) gen.CustomerResponse {
	info := o.outcome(res.outcome)
	out := gen.CustomerResponse{Status: gen.FAILED, StatusCode: gen.CustomerResponseStatusCode(info.code), StatusDesc: info.desc}
	if success(info.code) {
		out.Status = gen.SUCCESS
	}
	if res.desc != "" {
		out.StatusDesc = res.desc
	}
	if o.echo == echoNone || info.status != 200 {
		return out
	}
	kyc := info.kyc
	out.KYCTypeFlag = &kyc
	if m := req.str(o.mobile); m != "" {
		out.MobileNumber = &m
	}
	if name != "" {
		out.Name = &name
	}
	if o.echo == echoRegistration {
		a, b, c := req.str("paramA"), req.str("paramB"), req.str("paramC")
		out.ParamA, out.ParamB, out.ParamC = &a, &b, &c
	}
	return out
}

// echoName is the name a failure echoes: registration echoes the name sent.
func (o *opSpec) echoName(req request) string {
	if o.echo == echoRegistration {
		return req.str("name")
	}
	return ""
}
