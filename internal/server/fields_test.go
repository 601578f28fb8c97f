package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"
)

const spec = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /v1/kits:
    post:
      operationId: kits
      parameters:
        - {name: tenant, in: header, required: true, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [entityId, kitInfo]
              properties:
                entityId: {type: string}
                kitInfo:
                  type: array
                  items:
                    type: object
                    properties:
                      cardType: {type: string, enum: [PHYSICAL, VIRTUAL]}
                      pin: {type: string, pattern: "^[0-9]{4}$"}
      responses:
        "200": {description: ok}
`

// fieldsOf validates a request against the spec and returns the messages.
func fieldsOf(t *testing.T, query, body string, header ...string) []string {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	routes := NewRoutes(doc)
	var got []string
	r := mux.NewRouter()
	r.HandleFunc("/v1/kits", func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if err := newValidator(routes.Find(req), nil).check(req, body, new(any)); err != nil {
			got = Fields(err)
		}
	}).Methods("POST")
	req := httptest.NewRequest("POST", "/v1/kits"+query, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	r.ServeHTTP(httptest.NewRecorder(), req)
	return got
}

func TestFieldsNameEveryOffendingField(t *testing.T) {
	got := fieldsOf(t, "?limit=0", `{"entityId": 5, "kitInfo": [{"cardType": "PLASTIC", "pin": "12a4"}]}`)
	want := []string{
		"entityId: must be of type string",
		"header tenant: value is required but missing",
		"kitInfo[0].cardType: must be one of PHYSICAL, VIRTUAL",
		"kitInfo[0].pin: must match the pattern ^[0-9]{4}$",
		"query limit: number must be at least 1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
	if got := fieldsOf(t, "", `{"kitInfo": []}`, "tenant", "T"); !reflect.DeepEqual(got, []string{"entityId: is required"}) {
		t.Fatalf("missing field: %q", got)
	}
	if got := fieldsOf(t, "", `{"entityId": `, "tenant", "T"); len(got) != 1 || !strings.HasPrefix(got[0], "body: malformed") {
		t.Fatalf("malformed body: %q", got)
	}
	if got := fieldsOf(t, "", `{"entityId":"1","kitInfo":[]}`, "tenant", "T"); got != nil {
		t.Fatalf("valid request: %q", got)
	}
}
