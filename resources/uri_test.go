package resources

import "testing"

// TestURIEncodingRoundTrip: every identifier shape round-trips through URI
// and Parse, the written form keeps only unreserved characters raw (what an
// RFC 6570 {id} expansion produces), and the raw hand-typed form parses too.
func TestURIEncodingRoundTrip(t *testing.T) {
	for _, id := range []string{"alice@contoso.com", "da638f2e_1a2b-3c4d", "C:\\Users\\bob", "Finance laptops/EU", "a+b=c&d?e#f", "ünïcode", "100%"} {
		u := URI("contoso", KindUser, id)
		p, err := Parse(u)
		if err != nil || p.ID != id || p.Tenant != "contoso" || p.Kind != KindUser {
			t.Errorf("%q: %s parsed to %+v, %v", id, u, p, err)
		}
		for _, c := range u[len("secmcp://contoso/users/"):] {
			if c != '%' && !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
				t.Errorf("%q: %s leaves %q unescaped", id, u, c)
			}
		}
	}
	if got := URI("contoso", KindUser, "samuel.abbott@contoso.com"); got != "secmcp://contoso/users/samuel.abbott%40contoso.com" {
		t.Errorf("UPN URI = %s", got)
	}
	if p, err := Parse("secmcp://contoso/users/samuel.abbott@contoso.com"); err != nil || p.ID != "samuel.abbott@contoso.com" {
		t.Errorf("raw @ form: %+v, %v", p, err)
	}
}
