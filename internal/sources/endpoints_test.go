package sources

import (
	"net/http"
	"testing"

	"github.com/secmcp/secmcp/internal/config"
)

func TestResolveEndpoints(t *testing.T) {
	e, err := resolveEndpoints("usgov", nil)
	if err != nil || e.graph != "https://graph.microsoft.us/v1.0" || e.logAnalytics != "https://ade.loganalytics.us" || e.authority != "" {
		t.Fatalf("usgov defaults: %+v %v", e, err)
	}
	e, err = resolveEndpoints("public", &config.Endpoints{Authority: "http://127.0.0.1:9000/", Graph: "https://graph.microsoft.us", LogAnalytics: "https://la.example.test/"})
	if err != nil {
		t.Fatal(err)
	}
	if e.authority != "https://127.0.0.1:9000/" || e.graph != "https://graph.microsoft.us/v1.0" || e.graphScopes[0] != "https://graph.microsoft.us/.default" ||
		e.logAnalytics != "https://la.example.test" || !e.plain["127.0.0.1:9000"] || len(e.plain) != 1 {
		t.Fatalf("overrides: %+v", e)
	}
	e, _ = resolveEndpoints("china", &config.Endpoints{Graph: "https://private.example.test/"})
	if e.graphScopes[0] != "https://microsoftgraph.chinacloudapi.cn/.default" {
		t.Fatalf("a private Graph host keeps the cloud's scope, got %v", e.graphScopes)
	}
	if _, err := resolveEndpoints("public", &config.Endpoints{Graph: "http://10.1.1.1/"}); err == nil {
		t.Fatal("plain http off loopback accepted")
	}
}

func TestLoopbackPlainOnlyListedHosts(t *testing.T) {
	var got []string
	rt := (endpoints{plain: map[string]bool{"127.0.0.1:9000": true}}).transport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = append(got, r.URL.String())
		return &http.Response{StatusCode: 204, Body: http.NoBody}, nil
	}))
	for _, u := range []string{"https://127.0.0.1:9000/v1.0/users", "https://127.0.0.1:9001/x", "https://graph.microsoft.com/v1.0"} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if _, err := rt.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"http://127.0.0.1:9000/v1.0/users", "https://127.0.0.1:9001/x", "https://graph.microsoft.com/v1.0"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d went to %s, want %s", i, got[i], want[i])
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
