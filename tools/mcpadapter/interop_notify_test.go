package mcpadapter

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// mcp-go v1.2.1 (2025-11-25 session protocol over streamable HTTP) queues a
// request's notifications on the session-wide channel that the request's own
// POST stream, other POSTs of the session and the standalone GET stream all
// read. These tests pin what that does with a bare mcp-go server, and check
// that the adapter's mitigation (a pause after each progress notification,
// adapter.go) keeps every notification ahead of the response.
//
// Measured here (40 calls x 3 notifications, GET stream open, no pause):
// with the event store, 75 of 120 progress notifications arrived on the GET
// stream after the response — a client has forgotten the request by then and
// drops them; without it, 39 went to the GET stream and 3 were lost
// outright. With a 5 ms pause after each notification: 0 late, 0 lost. The
// pins below stop at the first call that shows the bug.

// bareNotifyHandler is a minimal mcp-go server whose tools send three
// notifications and return: burst_progress (progress, with pause after
// each) and burst_log (info logs carrying the tag argument).
func bareNotifyHandler(pause time.Duration, eventStore bool) http.Handler {
	s := server.NewMCPServer("bare", "1", server.WithLogging(), server.WithToolCapabilities(false))
	s.AddTool(mcp.NewTool("burst_progress"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		srv := server.ServerFromContext(ctx)
		for i := 1; i <= 3; i++ {
			_ = srv.SendNotificationToClient(ctx, "notifications/progress",
				map[string]any{"progressToken": req.Params.Meta.ProgressToken, "progress": i, "total": 3})
			time.Sleep(pause)
		}
		return mcp.NewToolResultText("done"), nil
	})
	s.AddTool(mcp.NewTool("burst_log"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		srv := server.ServerFromContext(ctx)
		for range 3 {
			_ = srv.SendLogMessageToClient(ctx, mcp.NewLoggingMessageNotification(mcp.LoggingLevelInfo, "bare", "step"))
			time.Sleep(pause)
		}
		return mcp.NewToolResultText("done"), nil
	})
	opts := []server.StreamableHTTPOption{server.WithStateful(true)}
	if eventStore {
		opts = append(opts, server.WithEventStore(server.NewInMemoryEventStore()))
	}
	return server.NewStreamableHTTPServer(s, opts...)
}

// burst runs n calls of tool and sums where the notifications went; it
// stops early once until (if not nil) holds for the sum.
func burst(t *testing.T, s *rawSession, tool, args string, n int, log bool, until func(callOutcome) bool) (callOutcome, int) {
	t.Helper()
	var sum callOutcome
	for i := range n {
		match := progressOf(100 + i)
		if log {
			match = isLog
		}
		sum.add(s.call(t, 100+i, tool, args, match, 3))
		if until != nil && until(sum) {
			return sum, i + 1
		}
	}
	return sum, n
}

// pinCalls bounds the calls a pin makes before concluding the bug is gone;
// the bug usually shows in the first call, but under CPU load the GET
// stream's goroutine can lose every race for a while.
const pinCalls = 200

// TestMCPGoDeliversNotificationsLate pins the library bug: with the event
// store (as transport.go configures it) and no pause, notifications sent
// just before the handler returns reach the client after the response. If
// this starts failing, mcp-go has fixed the ordering and the pauses in
// adapter.go (progressFunc) and conformance_notify.go can be reconsidered.
func TestMCPGoDeliversNotificationsLate(t *testing.T) {
	for _, tool := range []string{"burst_progress", "burst_log"} {
		t.Run(tool, func(t *testing.T) {
			ts := httptest.NewServer(bareNotifyHandler(0, true))
			t.Cleanup(ts.Close) // runs after the session's GET stream is cancelled
			late := func(o callOutcome) bool { return o.getAfter+o.lost > 0 }
			sum, n := burst(t, newRawSession(t, ts.URL), tool, "{}", pinCalls, tool == "burst_log", late)
			t.Logf("mcp-go, event store, no pause, %d calls x 3: %+v", n, sum)
			if !late(sum) {
				t.Errorf("no notification arrived late or got lost in %d calls (%+v): mcp-go may have fixed the ordering; revisit the pauses", n, sum)
			}
		})
	}
}

// TestMCPGoMisroutesNotifications pins the routing half: without the event
// store, a request's notifications still land on the GET stream (and a few
// are lost when the request ends while the POST forwarder holds one).
func TestMCPGoMisroutesNotifications(t *testing.T) {
	ts := httptest.NewServer(bareNotifyHandler(0, false))
	t.Cleanup(ts.Close)
	misrouted := func(o callOutcome) bool { return o.getBefore+o.getAfter > 0 }
	sum, n := burst(t, newRawSession(t, ts.URL), "burst_progress", "{}", pinCalls, false, misrouted)
	t.Logf("mcp-go, no event store, no pause, %d calls x 3: %+v", n, sum)
	if !misrouted(sum) {
		t.Errorf("no progress notification went to the GET stream in %d calls (%+v): mcp-go may now route them to the request's stream", n, sum)
	}
}

// TestAdapterProgressPrecedesResponse checks the mitigation end to end: the
// adapter's progress path (tools.Call.Report -> progressFunc) over the
// adapter's HTTP handler delivers every progress notification before the
// response, on whichever stream.
//
// Arrival times are stamped by the client's two stream readers, and under
// heavy CPU load the GET reader can be descheduled long enough to stamp a
// notification sent before the response after it, or after a short
// grace. So a burst waits up to 2 s for notifications before counting them
// lost, and the test fails only when each of 3 bursts shows a late or lost
// one: without the adapter's pause nearly every burst does (see
// TestMCPGoDeliversNotificationsLate, which usually shows it on the first
// call).
func TestAdapterProgressPrecedesResponse(t *testing.T) {
	url := serveInterop(t, newInteropServer(t), interopAuth)
	var sum callOutcome
	for rep := 1; rep <= 3; rep++ {
		s := newRawSession(t, url)
		s.grace = 2 * time.Second
		sum, _ = burst(t, s, "interop_run_steps", `{"tag":"x"}`, 30, false, nil)
		t.Logf("adapter, burst %d, 30 calls x 3 progress: %+v", rep, sum)
		if sum.getAfter == 0 && sum.lost == 0 {
			break
		}
	}
	if sum.getAfter != 0 || sum.lost != 0 {
		t.Errorf("progress notifications after the response or lost: %+v", sum)
	}
	if sum.onPost+sum.getBefore != 90 {
		t.Errorf("want 90 progress notifications before the responses, got %+v", sum)
	}
}
