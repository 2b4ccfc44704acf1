package psdeob

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeBase64 accepts standard and URL alphabets, missing padding and
// embedded whitespace, like [Convert]::FromBase64String mostly does.
func decodeBase64(s string) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	if len(clean) > 64<<20 {
		return nil, errTooLarge
	}
	clean = strings.TrimRight(clean, "=")
	if b, err := base64.RawStdEncoding.DecodeString(clean); err == nil {
		return b, nil
	}
	return base64.RawURLEncoding.DecodeString(clean)
}

func decodeText(b []byte, enc string) value {
	switch enc {
	case "unicode", "utf16", "utf-16":
		return utf16leToString(b)
	case "bigendianunicode", "unicodefffe":
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = binary.BigEndian.Uint16(b[2*i:])
		}
		return string(utf16.Decode(u))
	case "ascii", "usascii":
		rs := make([]rune, len(b))
		for i, c := range b {
			if c > 127 {
				rs[i] = '?'
			} else {
				rs[i] = rune(c)
			}
		}
		return string(rs)
	case "utf32":
		var rs []rune
		for i := 0; i+3 < len(b); i += 4 {
			rs = append(rs, rune(binary.LittleEndian.Uint32(b[i:])))
		}
		return string(rs)
	case "default", "latin1", "iso88591", "windows1252", "28591", "1252":
		rs := make([]rune, len(b))
		for i, c := range b {
			rs[i] = rune(c)
		}
		return string(rs)
	}
	return strings.TrimPrefix(strings.ToValidUTF8(string(b), "\uFFFD"), "\ufeff")
}

func utf16leToString(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return strings.TrimPrefix(string(utf16.Decode(u)), "\ufeff")
}

func encodeText(s, enc string) []byte {
	switch enc {
	case "unicode":
		u := utf16.Encode([]rune(s))
		out := make([]byte, 2*len(u))
		for i, c := range u {
			binary.LittleEndian.PutUint16(out[2*i:], c)
		}
		return out
	case "ascii":
		out := make([]byte, 0, len(s))
		for _, r := range s {
			if r > 127 {
				r = '?'
			}
			out = append(out, byte(r))
		}
		return out
	}
	return []byte(s)
}

// inflate decompresses a raw deflate or gzip stream, capped at
// maxInflateBytes (decompression-bomb protection).
func inflate(data []byte, gz bool, limit int64) ([]byte, error) {
	var r io.Reader
	if gz || len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		r = zr
	} else {
		r = flate.NewReader(bytes.NewReader(data))
	}
	out, err := io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(out)) > limit {
		return nil, errTooLarge
	}
	if err != nil && len(out) == 0 {
		return nil, err
	}
	return out, nil
}

// readAll implements StreamReader.ReadToEnd over the modelled streams.
func (e *evaluator) readAll(o *object) value {
	src := o.inner
	if src == nil {
		return unknown
	}
	data := src.data
	if src.kind == "inflate" {
		out, err := inflate(src.data, src.gzip, min(maxInflateBytes, e.room()))
		if err != nil {
			if errors.Is(err, errTooLarge) && e.room() < maxInflateBytes {
				e.reserve(e.room() + 1) // records the budget as the reason
			}
			return unknown
		}
		if src.gzip {
			e.note("gzip decompress")
		} else {
			e.note("raw deflate decompress")
		}
		data = out
	} else if src.kind != "memorystream" {
		return unknown
	}
	enc := o.enc
	if enc == "" {
		switch {
		case len(data) >= 2 && data[0] == 0xff && data[1] == 0xfe:
			enc = "unicode"
		case len(data) >= 2 && data[0] == 0xfe && data[1] == 0xff:
			enc = "bigendianunicode"
		}
	}
	if !e.reserve(int64(len(data)) + 3*int64(len(data))) {
		return unknown
	}
	return decodeText(data, enc)
}

// secureStringHeader prefixes ConvertFrom-SecureString -Key output.
const secureStringHeader = "76492d1116743f0423413b16050a5345"

var errNotSecureString = errors.New("securestring: not a keyed export")

// decryptSecureString decrypts ConvertFrom-SecureString output produced with
// an explicit -Key: header, then base64 of UTF-16LE "2|<base64 IV>|<hex
// ciphertext>"; AES-CBC with PKCS#7 padding over UTF-16LE plaintext.
func decryptSecureString(s string, key []byte) (string, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(strings.ToLower(s), secureStringHeader) {
		return "", errNotSecureString
	}
	raw, err := decodeBase64(s[len(secureStringHeader):])
	if err != nil {
		return "", err
	}
	parts := strings.Split(utf16leToString(raw), "|")
	if len(parts) < 3 {
		return "", errNotSecureString
	}
	iv, err := base64.StdEncoding.DecodeString(parts[1])
	if err != nil {
		return "", err
	}
	ct, err := hex.DecodeString(strings.TrimSpace(parts[2]))
	if err != nil {
		return "", err
	}
	switch len(key) {
	case 16, 24, 32:
	default:
		return "", errors.New("securestring: key must be 16, 24 or 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	if len(iv) != block.BlockSize() || len(ct) == 0 || len(ct)%block.BlockSize() != 0 {
		return "", errors.New("securestring: bad iv or ciphertext length")
	}
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(pt, ct)
	if p := int(pt[len(pt)-1]); p > 0 && p <= block.BlockSize() && p <= len(pt) {
		pt = pt[:len(pt)-p]
	}
	return utf16leToString(pt), nil
}

// looksUTF16LE reports whether b is probably UTF-16LE text (ASCII-range
// characters with zero high bytes).
func looksUTF16LE(b []byte) bool {
	if len(b) < 4 || len(b)%2 != 0 {
		return false
	}
	zeros := 0
	for i := 1; i < len(b); i += 2 {
		if b[i] == 0 {
			zeros++
		}
	}
	return zeros*10 >= len(b)/2*9
}

// printableRatio is the share of printable characters in s.
func printableRatio(s string) float64 {
	if s == "" {
		return 0
	}
	good, total := 0, 0
	for _, r := range s {
		total++
		if r == '\n' || r == '\r' || r == '\t' || r >= 0x20 && r != utf8.RuneError && r != 0x7f {
			good++
		}
	}
	return float64(good) / float64(total)
}
