package mcpadapter

import (
	"bufio"
	"context"
	"io"
	"time"

	"github.com/secmcp/secmcp/tools"
)

// serveStdioPipe serves s over stdio pipes for caller, for at most
// timeout; write sends the client's lines (in the background). The
// scanner reads what the server writes; stop ends the session and waits
// for ServeStdio to return.
func serveStdioPipe(s *Server, caller tools.Caller, timeout time.Duration, write func(w io.Writer)) (out *bufio.Scanner, stop func()) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	done := make(chan error, 1)
	go func() {
		done <- s.ServeStdio(ctx, caller, inR, outW)
		_ = outW.Close()
	}()
	go write(inW)
	return bufio.NewScanner(outR), func() {
		cancel()
		_ = inW.Close()
		go func() { _, _ = io.Copy(io.Discard, outR) }()
		<-done
	}
}
