package upstream

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// readLimits bound what a plugin server may send us.
type readLimits struct {
	// MaxMessage is the largest JSON-RPC message (one stdio line, one HTTP
	// response body); beyond it the connection is dropped.
	MaxMessage int64
	// MaxPerSecond is the most messages read per second; beyond it reading
	// pauses until the next second, so a flood of notifications slows the
	// plugin down (its writes block) instead of spending secmcp's CPU.
	MaxPerSecond int
}

// errTooLarge ends a read that broke MaxMessage.
var errTooLarge = errors.New("message too large")

// cappedReader enforces readLimits on a stdio plugin's output.
type cappedReader struct {
	r        io.Reader
	lim      readLimits
	onBreach func(reason string)

	mu          sync.Mutex
	lineBytes   int64
	windowStart time.Time
	windowLines int
	// Messages counts the messages read (for tests and figures).
	Messages int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n == 0 {
		return n, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	chunk := p[:n]
	for len(chunk) > 0 {
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			c.lineBytes += int64(len(chunk))
			break
		}
		c.lineBytes += int64(i)
		if c.lineBytes > c.lim.MaxMessage {
			break
		}
		c.lineBytes = 0
		c.Messages++
		c.pace()
		chunk = chunk[i+1:]
	}
	if c.lineBytes > c.lim.MaxMessage {
		c.onBreach(fmt.Sprintf("it sent a message larger than %d bytes (16 × maxResultBytes)", c.lim.MaxMessage))
		return 0, errTooLarge
	}
	return n, err
}

// pace counts one message and sleeps out the second when the rate is
// exceeded (the caller holds mu; the only reader is the transport's loop).
func (c *cappedReader) pace() {
	if c.lim.MaxPerSecond <= 0 {
		return
	}
	now := time.Now()
	if now.Sub(c.windowStart) >= time.Second {
		c.windowStart, c.windowLines = now, 0
	}
	c.windowLines++
	if c.windowLines > c.lim.MaxPerSecond {
		time.Sleep(time.Second - now.Sub(c.windowStart))
		c.windowStart, c.windowLines = time.Now(), 0
	}
}

// cappedTransport bounds every HTTP response body of a plugin server.
type cappedTransport struct {
	next     http.RoundTripper
	lim      readLimits
	onBreach func(reason string)
}

// RoundTrip implements http.RoundTripper.
func (t cappedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > t.lim.MaxMessage {
		resp.Body.Close()
		return nil, fmt.Errorf("response of %d bytes is larger than %d", resp.ContentLength, t.lim.MaxMessage)
	}
	resp.Body = &cappedBody{rc: resp.Body, left: t.lim.MaxMessage}
	return resp, nil
}

type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }
