//go:build conformance

package mcpadapter

import (
	"context"
	"time"

	"github.com/mark3labs/mcp-go/server"
)

// awaitNotificationsFlushed waits until the session's notification queue has
// been taken by a stream writer, then a little longer for the write itself.
//
// mcp-go v1.2.1 queues a request's notifications on the session-wide channel,
// which the POST stream's forwarder, any concurrent POST of the same session
// and the standalone GET stream all read from. A notification taken by the
// GET stream can reach the client after the POST response, and the
// TypeScript client then drops a progress notification whose request has
// ended (interop_notify_test.go pins this). Waiting for the queue to empty
// bounds the window instead of guessing a fixed pause.
func awaitNotificationsFlushed(ctx context.Context) {
	session := server.ClientSessionFromContext(ctx)
	if session == nil {
		return
	}
	ch := session.NotificationChannel()
	deadline := time.Now().Add(250 * time.Millisecond)
	for len(ch) > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(5 * time.Millisecond)
}
