package synth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/tools"
)

// fakeSources answers source calls from testdata (the demo tenant's
// incident 1000 as the real tools returned it), with optional latency and
// failures per tool.
type fakeSources struct {
	t        testing.TB
	latency  func(tool string) time.Duration
	fail     map[string]error
	mu       sync.Mutex
	calls    []string
	inFlight atomic.Int32
	maxIn    atomic.Int32
}

func (f *fakeSources) invoke(ctx context.Context, _ tools.Call, tool string, args map[string]any) (json.RawMessage, error) {
	f.mu.Lock()
	f.calls = append(f.calls, tool+" "+fmt.Sprint(args))
	f.mu.Unlock()
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxIn.Load()
		if n <= m || f.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	if f.latency != nil {
		select {
		case <-time.After(f.latency(tool)):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err := f.fail[tool]; err != nil {
		return nil, err
	}
	file := ""
	switch tool {
	case toolGetIncident:
		file = "get_incident_1000.json"
	case toolSummarize:
		file = "summarize_1000.json"
	case toolDLP:
		file = "purview_1000.json"
	case toolCompliance:
		file = "compliance_ct-lt-1037.json"
	case toolHunting:
		file = "hunting_devices.json"
	case toolScriptAnalyze:
		file = "script.json"
	case toolListDevices:
		if strings.EqualFold(fmt.Sprint(args["deviceName"]), "ct-lt-1037") {
			file = "devices_ct-lt-1037.json"
		} else {
			return json.RawMessage(`{"devices":[]}`), nil
		}
	case toolSignInRisk:
		if args["user"] == "samuel.abbott@contoso.com" {
			file = "risk_samuel.json"
		} else {
			return json.RawMessage(`{"scope":"user ` + fmt.Sprint(args["user"]) + `","since":"2026-11-09T05:00:00Z","until":"2026-11-17T06:51:00Z","riskyUsers":[],"detectionTypes":[],"riskySignIns":[],"patterns":[]}`), nil
		}
	default:
		return nil, fmt.Errorf("fake: unknown tool %s", tool)
	}
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		f.t.Fatal(err)
	}
	return b, nil
}

func testCall() tools.Call {
	clock := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	return tools.Call{Tenant: &tenant.Tenant{Alias: "contoso", Now: func() time.Time { return clock }}, Principal: "test"}
}

func investigate(t testing.TB, f *fakeSources, w Writer, call tools.Call, question string, timeout time.Duration) Result {
	t.Helper()
	return investigateVia(t, f.invoke, w, call, question, timeout)
}

// investigateVia is investigate with the source calls answered by inv.
func investigateVia(t testing.TB, inv Invoke, w Writer, call tools.Call, question string, timeout time.Duration) Result {
	t.Helper()
	res, err := Investigate(context.Background(), call, Request{Question: question}, Config{Writer: w, Invoke: inv, Store: NewStore()}, timeout)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var errUpstream = errors.New("upstream answered 503 Service Unavailable")
