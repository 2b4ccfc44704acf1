package outbound

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// TestSameHost: redirects within the host are followed (up to
// MaxRedirects); one to another host or scheme is refused before it is
// sent, with a *RedirectError naming both hosts.
func TestSameHost(t *testing.T) {
	var reached atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
	}))
	t.Cleanup(other.Close)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/hop":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/ok":
			w.Write([]byte("ok"))
		case "/away":
			http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/https":
			http.Redirect(w, r, "https://"+r.Host+"/ok", http.StatusFound)
		}
	}))
	t.Cleanup(srv.Close)
	base, _ := url.Parse(srv.URL)
	c := &http.Client{CheckRedirect: SameHost(base)}
	get := func(path string) (*http.Response, error) {
		resp, err := c.Get(srv.URL + path)
		if resp != nil {
			resp.Body.Close()
		}
		return resp, err
	}

	if resp, err := get("/hop"); err != nil || resp.Request.URL.Path != "/ok" {
		t.Errorf("redirect within the host: %v", err)
	}
	_, err := get("/away")
	var re *RedirectError
	if !errors.As(err, &re) || re.To != strings.TrimPrefix(other.URL, "http://") || re.Allowed != base.Host {
		t.Errorf("redirect to another host: %v", err)
	} else if !strings.Contains(err.Error(), "redirect to "+re.To+" refused") || !strings.Contains(err.Error(), base.Host) {
		t.Errorf("refusal text: %v", err)
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("%d requests reached the other host", n)
	}
	if _, err := get("/https"); !errors.As(err, &re) || re.To != base.Host {
		t.Errorf("redirect to another scheme on the same host: %v", err)
	}
	if _, err := get("/loop"); err == nil || errors.As(err, &re) || !strings.Contains(err.Error(), "more than 5 redirects") {
		t.Errorf("redirect loop: %v", err)
	}
}
