package scenariofile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/partnersandbox/sandbox/internal/credentials"
	"github.com/partnersandbox/sandbox/internal/journal"
	"github.com/partnersandbox/sandbox/internal/mask"
	"github.com/partnersandbox/sandbox/scenarios"
)

// Export turns journal entries (oldest first) into a scenario file: one step per call,
// expecting the recorded status and what a partner would check of the answer (see
// expectation), and a clock step per recorded move of the sandbox clock. Ids the sandbox
// made during the session (a profile submissionId, a replacement kit) are saved from the
// answer that first showed them and substituted where later requests use them, so the file
// replays after a reset. Requests recorded with masked values are kept and marked with a
// note; a masked DMT OTP is read back from the sandbox's admin API. A call recorded in the
// DMT encrypted variant (journalled in clear) is replayed in the plain variant. An entry
// that cannot be a step (a path or header that is not UTF-8) is left out, and a comment at
// the top of the file says which and why; when none is left, the error is
// ErrNothingToExport.
func Export(entries []journal.Entry, name string) ([]byte, error) {
	x := &exporter{vars: map[string]bool{}, ids: map[string]*idSource{}, known: map[string]bool{}}
	first := map[string]string{} // api → first tenant: the credentials
	for _, e := range entries {
		if _, ok := first[e.API]; !ok && e.Tenant != "" && !e.IsClockMove() {
			first[e.API] = e.Tenant
		}
	}
	x.creds = Credentials{
		DCMS:    DCMSCredentials{Tenant: or(first["dcms"], credentials.DCMSTenant)},
		DMT:     DMTCredentials{ClientID: or(first["dmt"], credentials.DMTClientID), ClientSecret: credentials.DMTClientSecret},
		Profile: ProfileCredentials{AppID: credentials.ProfileAppID, AppSecret: credentials.ProfileAppSecret, TenantID: or(first["profile"], credentials.ProfileTenant)},
	}
	var steps []*Step
	var left []string
	for i := range entries {
		if why := unexportable(&entries[i]); why != "" {
			left = append(left, fmt.Sprintf("journal entry %d (%s) is left out: %s", entries[i].ID, or(entries[i].OperationID, "no operation"), why))
			continue
		}
		steps = append(steps, x.step(&entries[i])...)
	}
	if len(steps) == 0 {
		if len(left) > 0 {
			return nil, fmt.Errorf("%w: %s", ErrNothingToExport, strings.Join(left, "; "))
		}
		return nil, ErrNothingToExport
	}
	f := &File{Name: strings.ToValidUTF8(name, "\uFFFD"), Description: describe(entries), Reset: true, Credentials: x.creds.used(first)}
	for _, s := range steps {
		f.Steps = append(f.Steps, *s)
	}
	return marshal(f, left)
}

// unexportable says why an entry cannot be a step ("" if it can): a scenario file is
// UTF-8 text, and a path or header value that is not UTF-8 cannot be written in one.
func unexportable(e *journal.Entry) string {
	for _, f := range []struct{ what, v string }{
		{"its path", e.Path}, {"its query", e.Query}, {"its method", e.Method}, {"its tenant", e.Tenant},
		{"its Content-Type", e.ContentType}, {"its " + scenarios.Header + " header", e.Scenario},
		{"its " + scenarios.FaultHeader + " header", e.Fault}, {"its " + scenarios.DelayHeader + " header", e.Delay},
		{"its operation", e.OperationID}, {"its outcome", e.Outcome}, {"its rule", e.Rule},
	} {
		if !utf8.ValidString(f.v) {
			return f.what + " is not valid UTF-8"
		}
	}
	return ""
}

// used keeps the credentials of the APIs the recording used.
func (c Credentials) used(apis map[string]string) Credentials {
	var out Credentials
	if _, ok := apis["dcms"]; ok {
		out.DCMS = c.DCMS
	}
	if _, ok := apis["dmt"]; ok {
		out.DMT = c.DMT
	}
	if _, ok := apis["profile"]; ok {
		out.Profile = c.Profile
	}
	return out
}

// marshal writes an exported file with the comments that say where it came from and
// which entries were left out.
func marshal(f *File, left []string) ([]byte, error) {
	var doc yaml.Node
	if err := doc.Encode(f); err != nil {
		return nil, err
	}
	doc.HeadComment = "Recorded by the partner sandbox (GET /__sandbox/journal/export).\n" +
		"Replay it: sandbox replay THIS_FILE --target http://127.0.0.1:8080 --junit report.xml\n" +
		"See scenarios/README.md for the format and for what a recording can and cannot replay."
	for _, l := range left {
		doc.HeadComment += "\n" + l
	}
	if _, creds := child(&doc, "credentials"); creds != nil && len(creds.Content) > 0 {
		creds.Content[0].HeadComment = "the secrets are the sandbox's documented ones: requests do not record them"
		for i := 1; i < len(creds.Content); i += 2 {
			creds.Content[i].Style = yaml.FlowStyle
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ErrNothingToExport says Export was given no call and no clock move.
var ErrNothingToExport = errors.New("nothing to export: no recorded call or clock move")

func describe(entries []journal.Entry) string {
	if len(entries) == 0 {
		return "an empty recording"
	}
	moves := 0
	for i := range entries {
		if entries[i].IsClockMove() {
			moves++
		}
	}
	what := fmt.Sprintf("%d calls", len(entries)-moves)
	if moves > 0 {
		what += fmt.Sprintf(" and %d clock moves", moves)
	}
	from, to := entries[0].Time.UTC().Format(time.RFC3339), entries[len(entries)-1].Time.UTC().Format(time.RFC3339)
	return fmt.Sprintf("%s recorded from %s to %s (sandbox clock)", what, from, to)
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// idSource is where an id first appeared in an answer.
type idSource struct {
	step *Step  // the step whose answer showed it
	path string // where in the answer
	name string // the variable, once a later request uses it
}

type exporter struct {
	creds Credentials
	vars  map[string]bool
	ids   map[string]*idSource // id value → where it came from
	known map[string]bool      // values the client sent before: not ids the sandbox made
}

var dateLike = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}`)

// maskedNote marks a step whose request was recorded with masked values (see package mask).
const maskedNote = "recorded with masked values (**** for secrets, card numbers as first 6/last 4, OVD numbers as their last 4): put the real values in before replaying"

// step turns one call into its step (and, for a masked DMT OTP, a step that reads it).
func (x *exporter) step(e *journal.Entry) []*Step {
	if e.IsClockMove() {
		return x.clockStep(e)
	}
	s := &Step{Name: title(e), Path: x.substPath(e.Path)}
	if e.Method != "GET" || len(e.Request) > 0 {
		s.Method = e.Method
	}
	notes := x.query(e, s)
	notes = append(notes, x.steering(e, s)...)
	var out []*Step
	if len(e.Request) > 0 {
		extra, bodyNotes := x.request(e, s)
		notes = append(notes, bodyNotes...)
		out = append(out, extra...)
	}
	if e.Status == 0 {
		notes = append(notes, "no answer was recorded (a fault, or the client gave up), so nothing is expected")
	} else {
		s.Expect = Expect{Status: e.Status, Body: x.expectation(e)}
	}
	x.learn(e, s)
	s.Note = strings.Join(notes, "; ")
	return append(out, s)
}

// title names a step after its operation and outcome.
func title(e *journal.Entry) string {
	t := e.OperationID
	if t == "" {
		t = e.Method + " " + e.Path
	}
	if e.Outcome != "" && e.Outcome != scenarios.OK {
		t += " → " + e.Outcome
	}
	return t
}

// query is the recorded query string, learnt ids substituted.
func (x *exporter) query(e *journal.Entry, s *Step) []string {
	q, err := url.ParseQuery(e.Query)
	if e.Query == "" || err != nil {
		return nil
	}
	var notes []string
	for _, k := range slices.Sorted(maps.Keys(q)) {
		s.Query = append(s.Query, KV{k, x.substValue(q[k][0])})
		if len(q[k]) > 1 {
			notes = append(notes, fmt.Sprintf("query %s was sent %d times; only the first value is kept", k, len(q[k])))
		}
	}
	return notes
}

// steering is who called (credentials, tenant) and how the answer was steered (fault,
// delay, scenario, rule).
func (x *exporter) steering(e *journal.Entry, s *Step) []string {
	var notes []string
	if e.Tenant == "" && e.API != "" {
		no := false
		s.Auth = &no
		notes = append(notes, "recorded without credentials, so replayed without them")
	} else if e.Tenant != x.creds.TenantOf(e.API) {
		s.Tenant = e.Tenant
	}
	if e.Delay != "" {
		s.Headers = append(s.Headers, KV{scenarios.DelayHeader, e.Delay})
	}
	if e.Fault != "" {
		s.Headers = append(s.Headers, KV{scenarios.FaultHeader, e.Fault})
	}
	if e.Fault == scenarios.FaultReset || e.Fault == scenarios.FaultTimeout {
		s.Skip = Skip("the recorded call asked for a " + e.Fault + " fault: it has no answer to check")
	}
	switch {
	case e.Scenario != "":
		s.Scenario = e.Scenario
	case e.Rule != "" && e.Status != 0 && e.Outcome != "":
		s.Scenario = e.Outcome
		notes = append(notes, fmt.Sprintf("answered by armed rule %s when recorded; replayed with X-Sandbox-Scenario: %s", e.Rule, e.Outcome))
	}
	return notes
}

// request sets the step's body (JSON) or raw body; extra are steps to run before it.
func (x *exporter) request(e *journal.Entry, s *Step) (extra []*Step, notes []string) {
	body, notes, extra := x.body(e)
	if body == nil {
		return extra, notes
	}
	if json.Valid(e.Request) && isJSON(e.ContentType) {
		s.Body = &Value{V: toJSON(body), n: body}
	} else {
		raw := body.Value
		s.Raw, s.ContentType = &raw, e.ContentType
	}
	return extra, notes
}

// body is the request body as YAML, with learnt ids substituted; notes say what cannot be
// replayed; extra are steps to run before this one.
func (x *exporter) body(e *journal.Entry) (*yaml.Node, []string, []*Step) {
	var notes []string
	if !utf8.Valid(e.Request) {
		notes = append(notes, "the request body was not text and is left out: put it back before replaying")
		return nil, notes, nil
	}
	if len(e.Request) >= journal.MaxBody {
		notes = append(notes, fmt.Sprintf("the request body was longer than the journal keeps (%d bytes) and is cut short", journal.MaxBody))
	}
	if !json.Valid(e.Request) || !isJSON(e.ContentType) {
		if bytes.Contains(e.Request, []byte(mask.Secret)) || bytes.Contains(e.Request, []byte("XXX")) {
			notes = append(notes, maskedNote)
		}
		return str(string(e.Request)), notes, nil
	}
	node, err := jsonNode(e.Request)
	if err != nil {
		return str(string(e.Request)), notes, nil
	}
	x.substNode(node)
	extra := x.maskedOTP(e, node)
	notes = append(notes, x.masked(e, node)...)
	return node, notes, extra
}

// maskedOTP replaces a masked DMT OTP with a variable read from the sandbox's admin API by
// a step before.
func (x *exporter) maskedOTP(e *journal.Entry, node *yaml.Node) []*Step {
	otp, mobile := valueOf(node, "otp"), valueOf(node, "mobileNumber")
	if e.API != "dmt" || otp == nil || otp.Value != "****" || mobile == nil || mobile.Value == "" {
		return nil
	}
	name := x.varName("otp")
	read := &Step{
		Name: "read the OTP the sandbox sent to " + mobile.Value,
		Note: "the OTP was recorded masked: it is read back from the sandbox's admin API (so this works against the sandbox only)",
		Path: "/__sandbox/tenants/" + or(e.Tenant, x.creds.DMT.ClientID) + "/dmt/otp/" + mobile.Value,
		Save: Saves{{Var: name, Path: "otp"}},
	}
	otp.Value, otp.Style = "${"+name+"}", 0
	return []*Step{read}
}

// masked puts the documented profile appSecret back and says what else was masked.
func (x *exporter) masked(e *journal.Entry, node *yaml.Node) []string {
	var notes []string
	if e.API == "profile" && strings.HasSuffix(e.Path, "/GetAppToken") {
		if sec, app := valueOf(node, "appSecret"), valueOf(node, "appId"); sec != nil && sec.Value == "****" && app != nil && app.Value == credentials.ProfileAppID {
			sec.Value = credentials.ProfileAppSecret
			notes = append(notes, "appSecret was recorded masked; the sandbox's documented secret is put back")
		}
	}
	if hasMasked(node) {
		notes = append(notes, maskedNote)
	}
	if e.Encrypted {
		notes = append(notes, "recorded in the DMT encrypted variant (journalled in clear): replayed in the plain variant, which gets the same answer unencrypted")
	}
	if bytes.Contains(e.Request, []byte(`"RequestData"`)) {
		notes = append(notes, "encrypted variant: its header_secrets and pass_key headers are not recorded; add them to replay")
	}
	return notes
}

func isJSON(ct string) bool {
	return ct == "" || strings.HasPrefix(ct, "application/json") || strings.Contains(ct, "+json")
}

// clockStep is a recorded move of the sandbox clock, as the clock step that replays it.
func (x *exporter) clockStep(e *journal.Entry) []*Step {
	var move ClockMove
	if json.Unmarshal(e.Request, &move) != nil || move.Advance == "" && move.Set == "" && !move.Reset {
		return nil
	}
	move.Tenant = e.Tenant // that tenant's clock only
	return []*Step{{Clock: &move}}
}

// partnerFields are the answer fields a partner's code checks: outcomes and statuses, names,
// amounts and counts. An exported step expects them as recorded (with their JSON types), but
// never an id the sandbox made afresh, a date or time, a token or a masked card number.
var partnerFields = map[string]bool{
	"status": true, "statusCode": true, "statusDesc": true, "errorCode": true, "shortMessage": true,
	"cardStatus": true, "currentStatus": true, "previousStatus": true, "cardType": true, "accountStatus": true,
	"accountStatusId": true, "riskLevel": true, "riskLevelId": true, "KYCTypeFlag": true, "operation": true,
	"entityTypeId": true, "userType": true, "documentTypeId": true, "pinSet": true, "onboardingProgress": true,
	"firstName": true, "middleName": true, "lastName": true, "name": true, "fullName": true, "tradingName": true,
	"formName": true, "receivedBy": true, "originalFileName": true,
	"totalCardsManaged": true, "quantity": true, "score": true, "fileSizeInBytes": true, "initialFunding": true,
	"requestedAmount": true, "amount": true,
}

// maxExpected bounds a step's body expectations, so a long answer stays readable.
const maxExpected = 24

// expectation is what a partner would check of a recorded answer: DCMS exception.errorCode
// (or no exception) and on success the result's partner fields; DMT status, statusCode,
// statusDesc and the customer's name; profile statusCode and the result's partner fields.
// Values keep their JSON type, so a number is expected as a number and a string as a string.
func (x *exporter) expectation(e *journal.Entry) Checks {
	resp, err := jsonNode(e.Response)
	if err != nil || resp.Kind != yaml.MappingNode {
		return nil
	}
	var cs Checks
	equals := func(path string, n *yaml.Node) {
		cs = append(cs, Check{Path: path, Match: Matcher{Kind: MatchEquals, Value: toJSON(n)}})
	}
	if e.API == "dcms" {
		if ex := valueOf(resp, "exception"); ex != nil && ex.Kind == yaml.MappingNode {
			if code := valueOf(ex, "errorCode"); code != nil {
				equals("exception.errorCode", code)
			}
			return cs
		}
		cs = append(cs, Check{Path: "exception", Match: Matcher{Kind: MatchAbsent}})
	}
	if r := valueOf(resp, "result"); r != nil && r.Kind == yaml.ScalarNode && r.Tag != "!!null" && x.checkable(r) {
		equals("result", r) // DCMS "success", true, "SUCCESS"; profile "Deleted 1 documents"
	}
	leaves(resp, "", func(path string, n *yaml.Node) {
		key := path[strings.LastIndex(path, ".")+1:]
		if len(cs) < maxExpected && partnerFields[key] && n.Tag != "!!null" && x.checkable(n) {
			equals(path, n)
		}
	})
	return cs
}

// checkable says a recorded value is the same on every replay: not an id the sandbox made
// during the session, a date or time, or a masked card number.
func (x *exporter) checkable(n *yaml.Node) bool {
	v := n.Value
	return x.ids[v] == nil && !dateLike.MatchString(v) && !mask.IsMasked(v)
}

// learn records the ids an answer shows for the first time, and what the client sent.
func (x *exporter) learn(e *journal.Entry, step *Step) {
	for _, seg := range strings.Split(e.Path, "/") {
		x.known[seg] = true
	}
	if q, err := url.ParseQuery(e.Query); err == nil {
		for _, vs := range q {
			for _, v := range vs {
				x.known[v] = true
			}
		}
	}
	if req, err := jsonNode(e.Request); err == nil {
		leaves(req, "", func(_ string, n *yaml.Node) { x.known[n.Value] = true })
	}
	resp, err := jsonNode(e.Response)
	if err != nil {
		return
	}
	leaves(resp, "", func(path string, n *yaml.Node) {
		v := n.Value
		if n.Tag != "!!str" || len(v) < 6 || x.known[v] || x.ids[v] != nil || !strings.ContainsAny(v, "0123456789") || dateLike.MatchString(v) || strings.Contains(v, "*") || mask.IsMasked(v) {
			return
		}
		x.ids[v] = &idSource{step: step, path: path}
	})
}

// use returns the variable of a learnt id, adding the save to the step that showed it.
func (x *exporter) use(v string) (string, bool) {
	src := x.ids[v]
	if src == nil {
		return "", false
	}
	if src.name == "" {
		last := src.path[strings.LastIndex(src.path, ".")+1:]
		if _, err := strconv.Atoi(last); err == nil || last == "" || !varName.MatchString(last) {
			last = "id"
		}
		src.name = x.varName(last)
		src.step.Save = append(src.step.Save, Save{Var: src.name, Path: src.path})
	}
	return "${" + src.name + "}", true
}

func (x *exporter) varName(base string) string {
	name := base
	for i := 2; x.vars[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	x.vars[name] = true
	return name
}

func (x *exporter) substValue(v string) string {
	if ref, ok := x.use(v); ok {
		return ref
	}
	return v
}

func (x *exporter) substPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = x.substValue(s)
	}
	return strings.Join(segs, "/")
}

// substNode replaces learnt ids in a body's string values.
func (x *exporter) substNode(n *yaml.Node) {
	leaves(n, "", func(_ string, l *yaml.Node) {
		if l.Tag == "!!str" {
			if ref, ok := x.use(l.Value); ok {
				l.Value, l.Style = ref, 0
			}
		}
	})
}

func hasMasked(n *yaml.Node) bool {
	found := false
	leaves(n, "", func(_ string, l *yaml.Node) {
		if mask.IsMasked(l.Value) {
			found = true
		}
	})
	return found
}

// leaves visits the scalar values of a JSON tree with their dotted paths.
func leaves(n *yaml.Node, path string, fn func(path string, n *yaml.Node)) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			leaves(n.Content[i+1], join(n.Content[i].Value), fn)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			leaves(c, join(strconv.Itoa(i)), fn)
		}
	case yaml.ScalarNode:
		fn(path, n)
	}
}

// valueOf is the value node of key in a mapping node, or nil.
func valueOf(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// jsonNode parses JSON into a YAML node tree, keeping the order of keys and the text of
// numbers, and marking strings so YAML keeps "000123" a string.
func jsonNode(data []byte) (*yaml.Node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := jsonValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after JSON")
	}
	return n, nil
}

func jsonValue(dec *json.Decoder) (*yaml.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return jsonObject(dec)
		}
		return jsonArray(dec)
	case string:
		return str(t), nil
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(t.String(), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: t.String()}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(t)}, nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
}

// flat says a node holds only short scalars, so it reads well on one line.
func flat(n *yaml.Node) bool {
	total := 0
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode || strings.Contains(c.Value, "\n") {
			return false
		}
		total += len(c.Value) + 4
	}
	return total <= 100
}

// jsonObject reads an object's members and its closing brace; a short flat one reads on
// one line.
func jsonObject(dec *json.Decoder) (*yaml.Node, error) {
	m := mapping()
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		v, err := jsonValue(dec)
		if err != nil {
			return nil, err
		}
		add(m, k.(string), v)
	}
	_, err := dec.Token()
	if len(m.Content) <= 8 && flat(m) {
		m.Style = yaml.FlowStyle
	}
	return m, err
}

// jsonArray reads an array's elements and its closing bracket.
func jsonArray(dec *json.Decoder) (*yaml.Node, error) {
	l := &yaml.Node{Kind: yaml.SequenceNode}
	for dec.More() {
		v, err := jsonValue(dec)
		if err != nil {
			return nil, err
		}
		l.Content = append(l.Content, v)
	}
	_, err := dec.Token()
	if flat(l) {
		l.Style = yaml.FlowStyle
	}
	return l, err
}
