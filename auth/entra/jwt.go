package entra

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// maxTokenBytes bounds a presented token before any decoding. Entra access
// tokens are a few kilobytes; group overage keeps them well under this.
const maxTokenBytes = 16 << 10

// header is the JOSE header of a compact JWS.
type header struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Typ  string          `json:"typ"`
	Crit json.RawMessage `json:"crit"`
}

// claims are the access-token claims secmcp reads. Entra documents them at
// https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
type claims struct {
	Iss               string          `json:"iss"`
	Aud               json.RawMessage `json:"aud"`
	Exp               *json.Number    `json:"exp"`
	Nbf               *json.Number    `json:"nbf"`
	Tid               string          `json:"tid"`
	Oid               string          `json:"oid"`
	Upn               string          `json:"upn"`
	PreferredUsername string          `json:"preferred_username"`
	Ver               string          `json:"ver"`
	Roles             []string        `json:"roles"`
	Scp               string          `json:"scp"`
	// Azp (v2.0) and Appid (v1.0) are the application ID of the client
	// using the token.
	Azp   string `json:"azp"`
	Appid string `json:"appid"`
}

// token is a compact JWS split and decoded, not yet verified.
type token struct {
	hdr     header
	claims  claims
	signed  string // header.payload, the signing input
	sig     []byte
	payload []byte
}

// parse splits and decodes a compact JWS. It checks only the shape and the
// header's algorithm: RS256 and nothing else, so "none", HS256 (with the
// public key as an HMAC secret) and unsigned tokens never reach a key.
func parse(raw string) (*token, error) {
	if len(raw) > maxTokenBytes {
		return nil, fmt.Errorf("token is %d bytes, more than %d", len(raw), maxTokenBytes)
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a compact JWS: %d parts", len(parts))
	}
	if parts[2] == "" {
		return nil, errors.New("unsigned token")
	}
	t := &token{signed: parts[0] + "." + parts[1]}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if err := strictJSON(hb, &t.hdr); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if t.hdr.Alg != "RS256" {
		return nil, fmt.Errorf("alg %q is not RS256", clip(t.hdr.Alg))
	}
	if len(t.hdr.Crit) > 0 {
		return nil, errors.New("header has crit extensions this server does not understand")
	}
	if t.hdr.Kid == "" {
		return nil, errors.New("header has no kid")
	}
	if t.payload, err = base64.RawURLEncoding.DecodeString(parts[1]); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	if err := strictJSON(t.payload, &t.claims); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	if t.sig, err = base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	return t, nil
}

// strictJSON decodes one JSON object and refuses trailing data.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// verify checks the RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature.
func (t *token) verify(pub *rsa.PublicKey) error {
	sum := sha256.Sum256([]byte(t.signed))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], t.sig); err != nil {
		return errors.New("signature does not verify against the authority's key")
	}
	return nil
}

// audiences returns aud as a list (a string in Entra tokens; RFC 7519 also
// allows an array).
func (c *claims) audiences() []string {
	var one string
	if json.Unmarshal(c.Aud, &one) == nil {
		return []string{one}
	}
	var many []string
	if json.Unmarshal(c.Aud, &many) == nil {
		return many
	}
	return nil
}

// numericDate reads a NumericDate claim as whole seconds.
func numericDate(n *json.Number) (int64, bool) {
	if n == nil {
		return 0, false
	}
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	f, err := n.Float64()
	if err != nil {
		return 0, false
	}
	return int64(f), true
}
