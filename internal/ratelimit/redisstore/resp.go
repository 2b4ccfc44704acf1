package redisstore

import (
	"bufio"
	"context"
	"crypto/sha1"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A small Redis client: the store sends only EVALSHA/EVAL (its scripts),
// ZREM, and AUTH/SELECT when a connection opens, in RESP2
// (https://redis.io/docs/latest/develop/reference/protocol-spec/). It
// replaced go-redis, whose cluster, sentinel, pub/sub and RESP3 code the
// store never used and which cost the binary ~0.75 MB of code and ~140
// interface tables that the Go runtime touches at every start (issue 16).
//
// A reply from a hostile or broken server cannot make it allocate much or
// block: replies are bounded (maxBulk bytes, maxItems elements, maxDepth
// levels of nesting), every round trip has the context's deadline, and a
// connection that returned anything unexpected is closed, never reused.

const (
	maxBulk  = 1 << 20 // largest bulk string accepted
	maxItems = 1024    // largest array accepted
	maxDepth = 3       // deepest nesting of arrays accepted
	maxIdle  = 16      // idle connections kept for reuse
)

// errNil is a nil reply.
var errNil = errors.New("redis: nil reply")

// replyError is an error reply (-ERR …): the server answered, so the
// connection stays usable.
type replyError string

func (e replyError) Error() string { return "redis: " + string(e) }

// Options are a parsed redis:// URL.
type Options struct {
	Addr      string // HOST:PORT
	Username  string // ACL user (AUTH USER PASSWORD); "" for AUTH PASSWORD
	Password  string
	DB        int
	TLSConfig *tls.Config // rediss://
	Timeout   time.Duration
}

// client is a pool of connections to one Redis server.
type client struct {
	opt    Options
	mu     sync.Mutex
	idle   []*conn
	closed bool
}

type conn struct {
	c net.Conn
	r *bufio.Reader
	w *bufio.Writer
}

func newClient(opt Options) *client { return &client{opt: opt} }

// do sends one command and returns its reply: int64, string, nil (nil
// reply, with errNil) or []any; a Redis error reply is a replyError.
func (cl *client) do(ctx context.Context, args ...any) (any, error) {
	cn, err := cl.get(ctx)
	if err != nil {
		return nil, err
	}
	v, err := cn.roundTrip(ctx, args)
	var re replyError
	if err != nil && !errors.As(err, &re) && !errors.Is(err, errNil) {
		_ = cn.c.Close()
		return nil, err
	}
	cl.put(cn)
	return v, err
}

func (cl *client) get(ctx context.Context) (*conn, error) {
	cl.mu.Lock()
	if cl.closed {
		cl.mu.Unlock()
		return nil, errors.New("redis: client closed")
	}
	if n := len(cl.idle); n > 0 {
		cn := cl.idle[n-1]
		cl.idle = cl.idle[:n-1]
		cl.mu.Unlock()
		return cn, nil
	}
	cl.mu.Unlock()
	return cl.dial(ctx)
}

func (cl *client) put(cn *conn) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.closed || len(cl.idle) >= maxIdle {
		_ = cn.c.Close()
		return
	}
	cl.idle = append(cl.idle, cn)
}

// close closes the idle connections; connections in use close when
// their round trip ends.
func (cl *client) close() {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	cl.closed = true
	for _, cn := range cl.idle {
		_ = cn.c.Close()
	}
	cl.idle = nil
}

// dial opens a connection, authenticates and selects the database.
func (cl *client) dial(ctx context.Context) (*conn, error) {
	d := net.Dialer{Timeout: cl.opt.Timeout}
	var nc net.Conn
	var err error
	if cl.opt.TLSConfig != nil {
		td := tls.Dialer{NetDialer: &d, Config: cl.opt.TLSConfig}
		nc, err = td.DialContext(ctx, "tcp", cl.opt.Addr)
	} else {
		nc, err = d.DialContext(ctx, "tcp", cl.opt.Addr)
	}
	if err != nil {
		return nil, fmt.Errorf("redis: dial: %w", err)
	}
	cn := &conn{c: nc, r: bufio.NewReader(nc), w: bufio.NewWriter(nc)}
	var hello [][]any
	switch {
	case cl.opt.Password != "" && cl.opt.Username != "":
		hello = append(hello, []any{"AUTH", cl.opt.Username, cl.opt.Password})
	case cl.opt.Password != "":
		hello = append(hello, []any{"AUTH", cl.opt.Password})
	}
	if cl.opt.DB != 0 {
		hello = append(hello, []any{"SELECT", cl.opt.DB})
	}
	for _, args := range hello {
		if _, err := cn.roundTrip(ctx, args); err != nil {
			_ = nc.Close()
			return nil, fmt.Errorf("redis: %s: %w", strings.ToLower(args[0].(string)), err)
		}
	}
	return cn, nil
}

// roundTrip writes one command and reads its reply, within ctx's deadline.
func (cn *conn) roundTrip(ctx context.Context, args []any) (any, error) {
	if dl, ok := ctx.Deadline(); ok {
		_ = cn.c.SetDeadline(dl)
	} else {
		_ = cn.c.SetDeadline(time.Time{})
	}
	fmt.Fprintf(cn.w, "*%d\r\n", len(args))
	for _, a := range args {
		var s string
		switch v := a.(type) {
		case string:
			s = v
		case int:
			s = strconv.Itoa(v)
		case int64:
			s = strconv.FormatInt(v, 10)
		case float64:
			s = strconv.FormatFloat(v, 'f', -1, 64)
		default:
			return nil, fmt.Errorf("redis: argument of type %T", a)
		}
		fmt.Fprintf(cn.w, "$%d\r\n%s\r\n", len(s), s)
	}
	if err := cn.w.Flush(); err != nil {
		return nil, err
	}
	return cn.read(0)
}

// read reads one reply at nesting depth.
func (cn *conn) read(depth int) (any, error) {
	line, err := cn.r.ReadSlice('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return nil, errors.New("redis: malformed reply line")
	}
	kind, body := line[0], string(line[1:len(line)-2])
	switch kind {
	case '+':
		return body, nil
	case '-':
		return nil, replyError(body)
	case ':':
		n, err := strconv.ParseInt(body, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("redis: malformed integer reply %q", body)
		}
		return n, nil
	case '$':
		n, err := strconv.Atoi(body)
		switch {
		case err == nil && n == -1:
			return nil, errNil
		case err != nil || n < 0 || n > maxBulk:
			return nil, fmt.Errorf("redis: bulk reply length %q out of range", body)
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(cn.r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		switch {
		case err == nil && n == -1:
			return nil, errNil
		case err != nil || n < 0 || n > maxItems || depth >= maxDepth:
			return nil, fmt.Errorf("redis: array reply of %q items at depth %d out of range", body, depth)
		}
		out := make([]any, n)
		for i := range out {
			v, err := cn.read(depth + 1)
			var re replyError
			if err != nil && !errors.Is(err, errNil) && !errors.As(err, &re) {
				return nil, err
			}
			if err != nil {
				v = err
			}
			out[i] = v
		}
		return out, nil
	}
	return nil, fmt.Errorf("redis: unknown reply type %q", kind)
}

// script is a Lua script run with EVALSHA, falling back to EVAL when the
// server does not have it cached (NOSCRIPT: a restarted or flushed server).
type script struct {
	src, sha string
}

func newScript(src string) *script {
	h := sha1.Sum([]byte(src))
	return &script{src: src, sha: hex.EncodeToString(h[:])}
}

func (s *script) run(ctx context.Context, cl *client, keys []string, args ...any) (any, error) {
	cmd := make([]any, 0, 3+len(keys)+len(args))
	cmd = append(cmd, "EVALSHA", s.sha, len(keys))
	for _, k := range keys {
		cmd = append(cmd, k)
	}
	cmd = append(cmd, args...)
	v, err := cl.do(ctx, cmd...)
	var re replyError
	if errors.As(err, &re) && strings.HasPrefix(string(re), "NOSCRIPT") {
		cmd[0], cmd[1] = "EVAL", s.src
		v, err = cl.do(ctx, cmd...)
	}
	return v, err
}

// toInt is an integer reply.
func toInt(v any, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("redis: reply %T is not an integer", v)
	}
	return n, nil
}

// toInts is an array of integers reply.
func toInts(v any, err error) ([]int64, error) {
	if err != nil {
		return nil, err
	}
	xs, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("redis: reply %T is not an array", v)
	}
	out := make([]int64, len(xs))
	for i, x := range xs {
		if out[i], err = toInt(x, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}
