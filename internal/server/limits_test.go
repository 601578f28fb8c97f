package server

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/openapi"
)

var testLimits = Limits{BodyBytes: 1 << 20, JSONDepth: 4, ObjectFields: 3, ArrayItems: 5}

func TestScanJSONNamesTheFirstBreach(t *testing.T) {
	cases := []struct{ body, want string }{
		{`{"a":1,"b":[1,2,3,4,5],"c":{"d":[[1]]}}`, ""},
		{`{"a":1,"b":2,"c":3,"d":4}`, "body: more than 3 fields in one object (limit objectFields in the contract's x-sandbox-limits)"},
		{`{"a":{"b":{"c":{"d":{}}}}}`, "body.a.b.c.d: objects and arrays nested more than 4 levels deep (limit jsonDepth in the contract's x-sandbox-limits)"},
		{`[[[[[]]]]]`, "body[0][0][0][0]: objects and arrays nested more than 4 levels deep (limit jsonDepth in the contract's x-sandbox-limits)"},
		{`{"x":[0,1,2,3,4,5]}`, "body.x: more than 5 items in one array (limit arrayItems in the contract's x-sandbox-limits)"},
		{`{"x":[{},{"a":1,"b":"}{][,\"","c":null,"d":true}]}`, "body.x[1]: more than 3 fields in one object (limit objectFields in the contract's x-sandbox-limits)"},
		{`{"a\"b":["x","y","z","w","v","u"]}`, `body.a\"b: more than 5 items in one array (limit arrayItems in the contract's x-sandbox-limits)`},
		{`{"a":"]]]]]]]]]]","b":"[[[[[[[[[[[[[[[["}`, ""},
		{`not json at all`, ""},
		{`{"a":[1,2`, ""},
	}
	for _, c := range cases {
		br, err := testLimits.scanJSON(context.Background(), []byte(c.body))
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if br != nil {
			got = br.Field()
		}
		if got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.body, got, c.want)
		}
	}
}

func TestScanJSONStopsWhenTheClientHasGone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	body := "[" + strings.Repeat("0,", 1<<20) + "0]"
	l := Limits{BodyBytes: len(body), JSONDepth: 4, ObjectFields: 3, ArrayItems: 1 << 21}
	if _, err := l.scanJSON(ctx, []byte(body)); err == nil {
		t.Fatal("the scan went on after its context ended")
	}
}

func TestScanJSONAllocatesNothing(t *testing.T) {
	body := []byte(`{"entityId":"675676","kitInfo":[{"kitNo":"1","cardType":"PHYSICAL"}],"n":-1.5e3,"ok":true}`)
	l := Limits{BodyBytes: 1 << 16, JSONDepth: 16, ObjectFields: 256, ArrayItems: 1000}
	ctx := context.Background()
	if n := testing.AllocsPerRun(100, func() {
		if br, _ := l.scanJSON(ctx, body); br != nil {
			t.Fatal(br.Field())
		}
	}); n != 0 {
		t.Fatalf("scanning a body within the limits allocates %v times", n)
	}
}

// Every partner contract states its limits, and they make sense.
func TestContractsStateTheirLimits(t *testing.T) {
	for _, api := range openapi.Partners {
		doc, err := openapi.Load(api)
		if err != nil {
			t.Fatal(err)
		}
		l, err := LimitsOf(doc)
		if err != nil || l == nil {
			t.Fatalf("%s: %s: %v", api, LimitsExtension, err)
		}
		// The description says the same as the extension.
		for _, n := range []int{l.BodyBytes, l.ObjectFields, l.ArrayItems} {
			if s := commas(n); !strings.Contains(doc.Info.Description, s) {
				t.Errorf("%s: info.description does not state %s of %s", api, s, LimitsExtension)
			}
		}
		if !strings.Contains(doc.Info.Description, "nested at most "+commas(l.JSONDepth)+" levels") {
			t.Errorf("%s: info.description does not state jsonDepth %d", api, l.JSONDepth)
		}
	}
}

// commas writes n as the descriptions do: 65,536.
func commas(n int) string {
	d := strconv.Itoa(n)
	for i := len(d) - 3; i > 0; i -= 3 {
		d = d[:i] + "," + d[i:]
	}
	return d
}

// A call's buffers over maxPooled are not kept when its state goes back to the pool: one
// large body must not pin megabytes for the life of the process.
func TestLargeBuffersAreNotPooled(t *testing.T) {
	st := &callState{}
	st.reqBuf.Grow(16 << 20)
	st.resBuf.Grow(1 << 20)
	small := &callState{}
	small.reqBuf.Grow(1 << 10)
	st.release()
	small.release()
	if st.reqBuf.Cap() != 0 || st.resBuf.Cap() != 0 {
		t.Fatalf("pooled buffers of %d and %d bytes", st.reqBuf.Cap(), st.resBuf.Cap())
	}
	if small.reqBuf.Cap() == 0 {
		t.Fatal("a small buffer was dropped: the hot path would allocate it again")
	}
}
