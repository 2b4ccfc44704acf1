package kusto

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/httppolicy"
	"github.com/secmcp/secmcp/internal/source"
)

// Each body breaks the protocol in one way; every one must end in an error
// wrapping ErrMalformedResponse (or ErrResponseTooLarge) and never a panic or
// a silently short result.
func TestKustoClientMalformedResponses(t *testing.T) {
	okTable := twoCols + fragment(`["a",1]`) + completion(1, "")
	tests := []struct {
		name, body string
		maxBytes   int64
		want       string
	}{
		// azkustodata indexes the column list by cell position without a
		// bounds check, in its own goroutine: this body would crash the process.
		{"extra cell", hdr + props + twoCols + fragment(`["a",1,"extra"]`) + completion(1, "") + info + done, 0, "row 0 has 3 cells for 2 columns"},
		{"missing cell", hdr + props + twoCols + fragment(`["a"]`) + completion(1, "") + info + done, 0, "row 0 has 1 cells for 2 columns"},
		{"extra cell in DataTable", hdr + `,{"FrameType":"DataTable","TableId":0,"TableKind":"QueryProperties","TableName":"p","Columns":[{"ColumnName":"A","ColumnType":"int"}],"Rows":[[1,2]]}` + "\n" + okTable + info + done, 0, "row 0 has 2 cells for 1 columns"},
		// azkustodata drops a read error between tables and reports success.
		{"cut between tables", hdr + props + okTable, 0, "before the data set was complete"},
		{"cut before DataSetCompletion", hdr + props + okTable + info, 0, "before the data set was complete"},
		{"no closing bracket", hdr + props + okTable + info + `,{"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}` + "\n", 0, "before the data set was complete"},
		{"cut mid-frame", hdr + props + twoCols + `,{"FrameType":"TableFragment","TableFragmentType":"DataAppend","TableId":1,"Rows":[["a",`, 0, "unexpected EOF"},
		{"empty body", "", 0, "empty response body"},
		{"html body", "<html>bad gateway</html>", 0, "not a JSON array of frames"},
		{"one-line array", strings.ReplaceAll(hdr+props+okTable+info+done, "\n", ""), 0, "one frame per line"},
		{"first frame not header", "[" + props[1:] + okTable + info + done, 0, "not DataSetHeader"},
		{"fragment outside table", hdr + props + fragment(`["a",1]`) + info + done, 0, "TableFragment outside a table"},
		{"content after end", hdr + props + okTable + info + done + ",{}\n", 0, "after the end of the data set"},
		{"frame after completion", hdr + props + okTable + info + `,{"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}` + "\n" + info + "]\n", 0, "frame after DataSetCompletion"},
		{"no primary table", hdr + props + info + done, 0, "no primary result table"},
		{"row not an array", hdr + props + twoCols + fragment(`"row"`) + completion(1, "") + info + done, 0, "row 0"},
		{"too large", hdr + props + okTable + info + done, 300, "more than 300 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestClient(t, &fakeKusto{respond: serveFrames(tc.body)}, Options{MaxResponseBytes: tc.maxBytes})
			res, err := c.Query(context.Background(), "db", "T")
			if err == nil {
				t.Fatalf("no error; result %v", res)
			}
			if !errors.Is(err, ErrMalformedResponse) && !errors.Is(err, ErrResponseTooLarge) {
				t.Errorf("err = %v, want it to wrap ErrMalformedResponse or ErrResponseTooLarge", err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), `kusto query on database "db": `) {
				t.Errorf("err = %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

// With the shared retry policy in front, persistent throttling surfaces as
// the policy's *source.ThrottledError through the SDK's error wrapping.
func TestKustoClientThrottledThroughRetryPolicy(t *testing.T) {
	calls := 0
	f := &fakeKusto{respond: func(w http.ResponseWriter, _ *http.Request) {
		calls++
		w.Header().Set("Retry-After", "2")
		w.WriteHeader(http.StatusTooManyRequests)
	}}
	c, _ := newTestClient(t, f, Options{})
	base := c.sdk.HttpClient().Transport.(recordingTransport).base
	rt := httppolicy.New(base, httppolicy.Options{MaxRetries: 2, Service: "kusto-test",
		Sleep: func(context.Context, time.Duration) error { return nil }})
	c2, err := New(c.endpoint, &staticCred{}, Options{HTTPClient: &http.Client{Transport: rt}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c2.Query(context.Background(), "db", "T")
	var te *source.ThrottledError
	if !errors.As(err, &te) || te.Service != "kusto-test" || te.RetryAfter != 2*time.Second {
		t.Fatalf("err = %v (%T), want the policy's ThrottledError", err, err)
	}
	if calls != 3 {
		t.Errorf("calls = %d, want 3 (1 + 2 retries)", calls)
	}
}

func TestKustoNewRejectsBadEndpoints(t *testing.T) {
	for _, ep := range []string{"", "http://127.0.0.1:1", "https://x;Fed=true", "https://x?a=b", "cluster", "https://u:p@host", "https://a;b"} {
		if _, err := New(ep, &staticCred{}, Options{}); err == nil {
			t.Errorf("New(%q) = nil error", ep)
		}
	}
	if _, err := New("https://help.kusto.windows.net", nil, Options{}); err == nil {
		t.Error("New without credential = nil error")
	}
}

func TestKustoSentinelEndpoint(t *testing.T) {
	got, err := SentinelEndpoint("00000000-0000-0000-0000-000000000001", "rg-sec", "law-prod")
	want := "https://ade.loganalytics.io/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg-sec/providers/microsoft.operationalinsights/workspaces/law-prod"
	if err != nil || got != want {
		t.Errorf("SentinelEndpoint = %q, %v; want %q", got, err, want)
	}
	for _, bad := range [][3]string{{"", "rg", "ws"}, {"s", "r/g", "ws"}, {"s", "rg", "w s"}, {"s", "rg", "ws?x"}} {
		if _, err := SentinelEndpoint(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("SentinelEndpoint(%q) = nil error", bad)
		}
	}
	if _, err := checkEndpoint(want); err != nil {
		t.Errorf("the Sentinel endpoint is not accepted by New: %v", err)
	}
}

func TestKustoParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"": 0, "5": 5 * time.Second, "-1": 0, "x": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}
