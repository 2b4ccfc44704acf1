package redisstore

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/ratelimit"
)

// fakeRedis answers every command on a loopback port with reply, verbatim
// (reply "" never answers).
func fakeRedis(t *testing.T, reply string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if strings.HasPrefix(line, "*") && reply != "" { // one reply per command
						if _, err := c.Write([]byte(reply)); err != nil {
							return
						}
					}
				}
			}()
		}
	}()
	return "redis://" + ln.Addr().String() + "/0?timeout=100ms"
}

// TestHostileServerFailsSafe: a server that answers garbage, absurd
// lengths, deep nesting, the wrong types or nothing at all costs each call
// at most the timeout once; the store falls back to its local 1/N budget
// (never panics, never grants more) and logs the outage once.
func TestHostileServerFailsSafe(t *testing.T) {
	replies := map[string]string{
		"garbage":      "hello\r\n",
		"no CRLF":      "+OK\n",
		"huge bulk":    "$99999999999\r\n",
		"huge array":   "*100000000\r\n",
		"deep nesting": strings.Repeat("*1\r\n", 50) + ":1\r\n",
		"bad integer":  ":12x\r\n",
		"wrong type":   "$3\r\nabc\r\n",
		"short array":  "*2\r\n:1\r\n:2\r\n",
		"error":        "-ERR no\r\n",
		"silent":       "",
	}
	for name, reply := range replies {
		t.Run(name, func(t *testing.T) {
			url := fakeRedis(t, reply)
			opt, _, _ := ParseURL(url)
			cl := newClient(*opt)
			defer cl.close()
			ctx, cancel := context.WithTimeout(context.Background(), opt.Timeout)
			defer cancel()
			if _, err := toInts(takeScript.run(ctx, cl, []string{"k"}, 1.0, 4, 1)); err == nil && name != "short array" {
				t.Errorf("the client took the reply %q", reply)
			}
			logs := &logBuffer{}
			s := openTest(t, url, logs)
			b := ratelimit.New(ratelimit.Config{UnitsPerMinute: 0.06, Burst: 4}).Shared(s, "t")
			start := time.Now()
			granted := 0
			for i := 0; i < 10; i++ {
				if ok, _ := b.Take(1); ok {
					granted++
				}
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("10 calls took %v", d)
			}
			if !s.Down() || granted != 4 {
				t.Fatalf("down=%v, granted %d units; want the local bucket's 4", s.Down(), granted)
			}
			if n := logs.count("budget store unreachable"); n != 1 {
				t.Fatalf("outage logged %d times:\n%s", n, logs)
			}
		})
	}
}

// TestSelectsDatabaseAndAuthenticates: the URL's password is sent with
// AUTH and its database chosen with SELECT: the budget lands in DB 3.
func TestSelectsDatabaseAndAuthenticates(t *testing.T) {
	r := startRedis(t, "--requirepass", "pw3")
	url := strings.Replace(r.URLAs("pw3", ""), "/0", "/3", 1)
	s := openTest(t, url, nil)
	if s.Down() {
		t.Fatal("store down against a live Redis with the right password")
	}
	b := ratelimit.New(ratelimit.Config{UnitsPerMinute: 60, Burst: 5}).Shared(s, "delta")
	if ok, _ := b.Take(1); !ok {
		t.Fatal("refused")
	}
	opt, _, err := ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	cl := newClient(*opt)
	defer cl.close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if n, err := toInt(cl.do(ctx, "EXISTS", keyPrefix+"budget:delta")); err != nil || n != 1 {
		t.Fatalf("EXISTS in DB 3 = %d, %v; want 1", n, err)
	}
	opt.DB = 0
	cl0 := newClient(*opt)
	defer cl0.close()
	if n, err := toInt(cl0.do(ctx, "EXISTS", keyPrefix+"budget:delta")); err != nil || n != 0 {
		t.Fatalf("EXISTS in DB 0 = %d, %v; want 0", n, err)
	}
	opt.Password = "wrong"
	if _, err := newClient(*opt).do(ctx, "PING"); err == nil || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("wrong password: %v", err)
	}
}
