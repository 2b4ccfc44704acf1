package plugins

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Where API skills may not send requests. A plugin's OpenAPI document is
// third-party text, and it names the servers calls (with the caller's
// arguments and the configured credentials) go to. secmcp often runs on a
// cloud VM or container whose instance-metadata endpoint hands out the
// host's own credentials to any local request (169.254.169.254 on Azure,
// AWS and GCP; fd00:ec2::254 on AWS IPv6; 100.100.100.200 on Alibaba), so a
// document naming it — or a name resolving to it — would turn a plugin
// into a credential thief. Link-local, unspecified and multicast addresses
// are refused as a class, at load (literal addresses and known names) and
// when connecting (every address a name resolves to, so DNS rebinding does
// not get around it). Private (RFC 1918) and loopback addresses stay
// allowed: SOCs run internal enrichment APIs, and plain http goes only to
// loopback (pickServer).
var metadataIPs = []net.IP{net.ParseIP("fd00:ec2::254"), net.ParseIP("100.100.100.200")}

var metadataNames = map[string]bool{"metadata.google.internal": true, "metadata": true, "instance-data": true, "instance-data.ec2.internal": true}

// forbiddenIP says why calls may not go to ip ("" when they may).
func forbiddenIP(ip net.IP) string {
	for _, m := range metadataIPs {
		if ip.Equal(m) {
			return "a cloud instance-metadata address"
		}
	}
	switch {
	case ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast():
		return "a link-local address (169.254.0.0/16, fe80::/10: where cloud instance metadata answers)"
	case ip.IsUnspecified():
		return "the unspecified address"
	case ip.IsMulticast():
		return "a multicast address"
	}
	return ""
}

// forbiddenHost says why calls may not go to host, by its name or literal
// address ("" when they may; names are checked again when connecting).
func forbiddenHost(host string) string {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if metadataNames[h] {
		return "a cloud instance-metadata name"
	}
	h, _, _ = strings.Cut(strings.Trim(h, "[]"), "%") // fe80::1%eth0
	if ip := net.ParseIP(h); ip != nil {
		return forbiddenIP(ip)
	}
	return ""
}

// refuseForbidden is a dialer Control that refuses forbidden addresses
// after name resolution.
func refuseForbidden(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	host, _, _ = strings.Cut(host, "%")
	if ip := net.ParseIP(host); ip != nil {
		if why := forbiddenIP(ip); why != "" {
			return fmt.Errorf("refused to connect to %s: %s", host, why)
		}
	}
	return nil
}

// guardedTransport is http.DefaultTransport's configuration with a dialer
// that refuses forbidden addresses; API calls and OpenAPI fetches use it.
var guardedTransport = sync.OnceValue(func() *http.Transport {
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: refuseForbidden}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = d.DialContext
	return tr
})
