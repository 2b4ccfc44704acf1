// Package connlimit bounds how many connections a net.Listener holds open
// at once.
//
// At the cap, Accept waits for an open connection to close instead of
// accepting and closing new ones: the kernel's listen backlog is the queue,
// so a client arriving while the server is full connects a little later
// rather than failing, and a flood of connection attempts costs the server
// no file descriptor, goroutine or response per attempt. (Accepting only to
// answer 503 would still spend an fd and a TLS/HTTP exchange on each, which
// an attacker can repeat as fast as it likes.) What frees slots is the HTTP
// server's own timeouts: ReadHeaderTimeout for a connection that never sends
// a request, IdleTimeout for an idle keep-alive one.
package connlimit

import (
	"net"
	"sync"
)

// Listener is a net.Listener with at most Max connections open at once.
type Listener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// New wraps ln so that at most max accepted connections are open at once;
// max must be at least 1.
func New(ln net.Listener, max int) *Listener {
	if max < 1 {
		max = 1
	}
	return &Listener{Listener: ln, sem: make(chan struct{}, max), done: make(chan struct{})}
}

// Max is the most connections open at once.
func (l *Listener) Max() int { return cap(l.sem) }

// Open is how many accepted connections are open now.
func (l *Listener) Open() int { return len(l.sem) }

// Accept waits until fewer than Max connections are open, then accepts one.
// The slot is freed when the connection is closed (the first Close only).
// After Close it returns net.ErrClosed, also to a caller already waiting.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &conn{Conn: c, release: func() { <-l.sem }}, nil
}

// Close closes the listener and wakes any Accept waiting for a slot.
// Connections already accepted stay open. Closing twice is harmless.
func (l *Listener) Close() error {
	l.closeOnce.Do(func() {
		close(l.done)
		l.closeErr = l.Listener.Close()
	})
	return l.closeErr
}

// conn frees its listener slot on its first Close.
type conn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// CloseWrite half-closes a TCP connection, as net/http does before closing
// one it refused, so the client reads the whole error response.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
