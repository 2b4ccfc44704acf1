package kusto

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/secmcp/secmcp/internal/source"
)

// staticCred is a TokenCredential returning a fixed token and recording scopes.
type staticCred struct {
	mu     sync.Mutex
	scopes []string
}

func (c *staticCred) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.scopes = append(c.scopes, o.Scopes...)
	return azcore.AccessToken{Token: "test-token", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// fakeKusto serves auth metadata and answers /v2/rest/query with respond.
type fakeKusto struct {
	mu      sync.Mutex
	bodies  []map[string]any
	headers []http.Header
	respond func(w http.ResponseWriter, r *http.Request)
}

func (f *fakeKusto) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/v1/rest/auth/metadata":
		_, _ = io.WriteString(w, `{"AzureAD":{"LoginEndpoint":"https://login.microsoftonline.com","LoginMfaRequired":false,"KustoClientAppId":"db662dc1-0cfe-4e1c-a843-19a68e65be58","KustoClientRedirectUri":"https://microsoft/kustoclient","KustoServiceResourceId":"https://kusto.kusto.windows.net","FirstPartyAuthorityUrl":"https://login.microsoftonline.com/f8cdef31-a31e-4b4a-93e4-5f571e91255a"}}`)
	case "/v2/rest/query":
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		f.mu.Lock()
		f.bodies = append(f.bodies, body)
		f.headers = append(f.headers, r.Header.Clone())
		f.mu.Unlock()
		f.respond(w, r)
	default:
		http.NotFound(w, r)
	}
}

func serveFrames(frames string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, frames)
	}
}

func newTestClient(t *testing.T, f *fakeKusto, opts Options) (*Client, *staticCred) {
	t.Helper()
	srv := httptest.NewTLSServer(f)
	t.Cleanup(srv.Close)
	if opts.HTTPClient == nil {
		opts.HTTPClient = srv.Client()
	}
	cred := &staticCred{}
	c, err := New(srv.URL, cred, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, cred
}

const (
	hdr     = `[{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0","IsFragmented":true,"ErrorReportingPlacement":"EndOfTable"}` + "\n"
	props   = `,{"FrameType":"DataTable","TableId":0,"TableKind":"QueryProperties","TableName":"@ExtendedProperties","Columns":[{"ColumnName":"TableId","ColumnType":"int"},{"ColumnName":"Key","ColumnType":"string"},{"ColumnName":"Value","ColumnType":"dynamic"}],"Rows":[[1,"Visualization",{"Visualization":null}]]}` + "\n"
	info    = `,{"FrameType":"DataTable","TableId":2,"TableKind":"QueryCompletionInformation","TableName":"QueryCompletionInformation","Columns":[{"ColumnName":"Timestamp","ColumnType":"datetime"},{"ColumnName":"Level","ColumnType":"int"}],"Rows":[["2026-01-02T03:04:05Z",4]]}` + "\n"
	done    = `,{"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}` + "\n]\n"
	twoCols = `,{"FrameType":"TableHeader","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult","Columns":[{"ColumnName":"A","ColumnType":"string"},{"ColumnName":"N","ColumnType":"long"}]}` + "\n"
)

func fragment(rows string) string {
	return `,{"FrameType":"TableFragment","TableFragmentType":"DataAppend","TableId":1,"Rows":[` + rows + "]}\n"
}

func completion(n int, errs string) string {
	s := `,{"FrameType":"TableCompletion","TableId":1,"RowCount":` + itoa(n)
	if errs != "" {
		s += `,"OneApiErrors":[` + errs + `]`
	}
	return s + "}\n"
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestKustoClientAllTypesRoundTrip(t *testing.T) {
	cols := `,{"FrameType":"TableHeader","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult","Columns":[` +
		`{"ColumnName":"s","ColumnType":"string"},{"ColumnName":"dt","ColumnType":"datetime"},{"ColumnName":"l","ColumnType":"long"},` +
		`{"ColumnName":"i","ColumnType":"int"},{"ColumnName":"r","ColumnType":"real"},{"ColumnName":"b","ColumnType":"bool"},` +
		`{"ColumnName":"d","ColumnType":"dynamic"},{"ColumnName":"g","ColumnType":"guid"},{"ColumnName":"ts","ColumnType":"timespan"},` +
		`{"ColumnName":"dec","ColumnType":"decimal"}]}` + "\n"
	rows := `["héllo \"q\"","2026-01-02T03:04:05.1234567Z",9007199254740993,-7,1.5,true,{"a":[1,2.5,"x",null],"b":{"c":true}},"6F9619FF-8B86-D011-B42D-00C04FC964FF","1.02:03:04.5000000","12.25"],` +
		`["",null,null,null,null,null,null,null,null,null],` +
		`["x","0001-01-01T00:00:00Z",0,0,"NaN",false,"plain text",null,"-00:00:01",null],` +
		`["y","2026-01-02T03:04:05Z",-1,1,"-Infinity",false,[1,2],null,"00:00:00.0000001",null]`
	f := &fakeKusto{respond: serveFrames(hdr + props + cols + fragment(rows) + completion(4, "") + info + done)}
	c, cred := newTestClient(t, f, Options{})
	got, err := c.Query(context.Background(), "db1", "T | take 4")
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	wantCols := []string{"s:string", "dt:datetime", "l:long", "i:int", "r:real", "b:bool", "d:dynamic", "g:guid", "ts:timespan", "dec:decimal"}
	for i, c := range got.Columns {
		if c.Name+":"+c.Type != wantCols[i] {
			t.Errorf("column %d = %s:%s, want %s", i, c.Name, c.Type, wantCols[i])
		}
	}
	if len(got.Rows) != 4 {
		t.Fatalf("rows = %d, want 4", len(got.Rows))
	}
	r0 := got.Rows[0]
	wantDT := time.Date(2026, 1, 2, 3, 4, 5, 123456700, time.UTC)
	checks := []struct {
		name      string
		got, want any
	}{
		{"string", r0[0], `héllo "q"`},
		{"datetime", r0[1], wantDT},
		{"long", r0[2], int64(9007199254740993)},
		{"int", r0[3], int64(-7)},
		{"real", r0[4], 1.5},
		{"bool", r0[5], true},
		{"guid", r0[7], "6f9619ff-8b86-d011-b42d-00c04fc964ff"},
		{"timespan", r0[8], 26*time.Hour + 3*time.Minute + 4*time.Second + 500*time.Millisecond},
		{"decimal", r0[9], 12.25},
		{"null string", got.Rows[1][0], ""},
		{"dynamic text", got.Rows[2][6], "plain text"},
		{"min datetime", got.Rows[2][1], time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"negative timespan", got.Rows[2][8], -time.Second},
		{"one tick", got.Rows[3][8], 100 * time.Nanosecond},
		{"-inf", got.Rows[3][4], math.Inf(-1)},
	}
	for _, c := range checks {
		if gt, ok := c.got.(time.Time); ok {
			if !gt.Equal(c.want.(time.Time)) || gt.Location() != time.UTC {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
			continue
		}
		if c.got != c.want {
			t.Errorf("%s = %#v (%T), want %#v (%T)", c.name, c.got, c.got, c.want, c.want)
		}
	}
	for i := 1; i < 10; i++ {
		if got.Rows[1][i] != nil {
			t.Errorf("null cell %d = %#v, want nil", i, got.Rows[1][i])
		}
	}
	if f, ok := got.Rows[2][4].(float64); !ok || !math.IsNaN(f) {
		t.Errorf("NaN cell = %#v", got.Rows[2][4])
	}
	dyn, ok := r0[6].(map[string]any)
	if !ok {
		t.Fatalf("dynamic = %T, want map", r0[6])
	}
	arr := dyn["a"].([]any)
	if arr[0] != int64(1) || arr[1] != 2.5 || arr[2] != "x" || arr[3] != nil {
		t.Errorf("dynamic array = %#v", arr)
	}
	if dyn["b"].(map[string]any)["c"] != true {
		t.Errorf("dynamic nested = %#v", dyn["b"])
	}
	if a, ok := got.Rows[3][6].([]any); !ok || len(a) != 2 || a[0] != int64(1) {
		t.Errorf("dynamic top-level array = %#v", got.Rows[3][6])
	}
	if len(cred.scopes) == 0 || cred.scopes[0] != "https://kusto.kusto.windows.net/.default" {
		t.Errorf("token scopes = %v", cred.scopes)
	}
}

func TestKustoClientRequestShape(t *testing.T) {
	f := &fakeKusto{respond: serveFrames(hdr + props + twoCols + fragment(`["a",1]`) + completion(1, "") + info + done)}
	c, _ := newTestClient(t, f, Options{DefaultDatabase: "ws-1", MaxRows: 50})
	if _, err := c.Query(context.Background(), "", "SigninLogs | take 1"); err != nil {
		t.Fatalf("Query: %v", err)
	}
	body, h := f.bodies[0], f.headers[0]
	if body["db"] != "ws-1" || body["csl"] != "SigninLogs | take 1" {
		t.Errorf("body = %v", body)
	}
	opts := body["properties"].(map[string]any)["Options"].(map[string]any)
	for k, want := range map[string]any{
		"results_v2_newlines_between_frames": true, "results_v2_fragment_primary_tables": true,
		"results_error_reporting_placement": "end_of_table", "query_take_max_records": float64(51),
	} {
		if opts[k] != want {
			t.Errorf("option %s = %v, want %v", k, opts[k], want)
		}
	}
	if _, ok := opts["servertimeout"].(string); !ok {
		t.Errorf("servertimeout missing: %v", opts)
	}
	if h.Get("Authorization") != "Bearer test-token" {
		t.Errorf("Authorization = %q", h.Get("Authorization"))
	}
	if h.Get("x-ms-user") != "[none]" {
		t.Errorf("x-ms-user = %q, want [none] (no OS user name leaks)", h.Get("x-ms-user"))
	}
}

func TestKustoClientMaxRows(t *testing.T) {
	rows := `["a",1],["b",2],["c",3]`
	f := &fakeKusto{respond: serveFrames(hdr + props + twoCols + fragment(rows) + fragment(`["d",4]`) + completion(4, "") + info + done)}
	c, _ := newTestClient(t, f, Options{MaxRows: 2})
	res, err := c.QueryResult(context.Background(), "db", "T")
	if err != nil {
		t.Fatalf("QueryResult: %v", err)
	}
	if !res.Truncated || len(res.Table.Rows) != 2 || res.Table.Rows[1][0] != "b" {
		t.Errorf("truncated=%v rows=%v", res.Truncated, res.Table.Rows)
	}
	c4, _ := newTestClient(t, f, Options{MaxRows: 4})
	res, err = c4.QueryResult(context.Background(), "db", "T")
	if err != nil || res.Truncated || len(res.Table.Rows) != 4 {
		t.Errorf("MaxRows=4: truncated=%v rows=%d err=%v", res != nil && res.Truncated, len(res.Table.Rows), err)
	}
}

func TestKustoClientServerErrors(t *testing.T) {
	oneAPI := `{"error":{"code":"General_BadRequest","message":"Request is invalid and cannot be executed.","@type":"Kusto.Data.Exceptions.SyntaxException","@message":"Syntax error: 'wher' is not a known operator","@permanent":true}}`
	tests := []struct {
		name    string
		respond func(http.ResponseWriter, *http.Request)
		want    string
	}{
		{"http 400 OneApi body", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, oneAPI)
		}, `kusto query on database "db": Syntax error: 'wher' is not a known operator (HTTP 400)`},
		{"http 401 plain body", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, "token expired")
		}, "token expired (HTTP 401)"},
		{"table completion error", serveFrames(hdr + props + twoCols + fragment(`["a",1]`) + completion(1, oneAPI) + info +
			`,{"FrameType":"DataSetCompletion","HasErrors":true,"Cancelled":false,"OneApiErrors":[` + oneAPI + `]}` + "\n]\n"),
			`kusto query on database "db": Syntax error: 'wher' is not a known operator`},
		{"dataset completion error", serveFrames(hdr + props + twoCols + fragment(`["a",1]`) + completion(1, "") + info +
			`,{"FrameType":"DataSetCompletion","HasErrors":true,"Cancelled":false,"OneApiErrors":[` + oneAPI + `]}` + "\n]\n"),
			"Syntax error: 'wher' is not a known operator"},
		{"in-data error row", serveFrames(hdr + props + twoCols + fragment(`["a",1],{"OneApiErrors":[`+oneAPI+`]}`) + completion(1, "") + info + done),
			"Syntax error: 'wher' is not a known operator"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestClient(t, &fakeKusto{respond: tc.respond}, Options{})
			_, err := c.Query(context.Background(), "db", "T | wher x")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if errors.Is(err, source.ErrThrottled) {
				t.Errorf("not a throttle: %v", err)
			}
		})
	}
}

func TestKustoClientThrottled(t *testing.T) {
	f := &fakeKusto{respond: func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"error":{"code":"TooManyRequests","message":"throttled"}}`)
	}}
	c, _ := newTestClient(t, f, Options{})
	_, err := c.Query(context.Background(), "db", "T")
	var te *source.ThrottledError
	if !errors.As(err, &te) || !errors.Is(err, source.ErrThrottled) {
		t.Fatalf("err = %v (%T), want *source.ThrottledError", err, err)
	}
	if te.RetryAfter != 7*time.Second {
		t.Errorf("RetryAfter = %v, want 7s", te.RetryAfter)
	}
	if !strings.HasPrefix(err.Error(), `kusto query on database "db": `) {
		t.Errorf("err = %q", err)
	}
}
