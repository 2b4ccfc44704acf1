package engine

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"net/url"
	"strings"

	"github.com/secmcp/secmcp/internal/text"
)

func registerMisc() {
	register("iff,iif", 3, 3, func(a []kind) kind { return promote(a[1], a[2]) }, false, func(_ *callCtx, a []value) (value, error) {
		if asBoolValue(a[0]).truthy() {
			return a[1], nil
		}
		return a[2], nil
	})
	register("case", 3, 129, caseKind, false, func(_ *callCtx, a []value) (value, error) {
		for i := 0; i+1 < len(a); i += 2 {
			if asBoolValue(a[i]).truthy() {
				return a[i+1], nil
			}
		}
		return a[len(a)-1], nil
	})
	register("coalesce", 1, 64, promoteArgs, false, func(_ *callCtx, a []value) (value, error) {
		for _, v := range a {
			if !isEmptyValue(v) {
				return v, nil
			}
		}
		return a[len(a)-1], nil
	})
	register("not", 1, 1, fixed(kBool), false, func(_ *callCtx, a []value) (value, error) {
		b := asBoolValue(a[0])
		if b.null {
			return nullOf(kBool), nil
		}
		return boolV(b.i == 0), nil
	})
	register("hash_sha256", 1, 1, fixed(kString), false, hashFn(func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }))
	register("hash_sha1", 1, 1, fixed(kString), false, hashFn(func(b []byte) []byte { s := sha1.Sum(b); return s[:] }))
	register("hash_md5", 1, 1, fixed(kString), false, hashFn(func(b []byte) []byte { s := md5.Sum(b); return s[:] }))
	register("hash,hash_xxhash64", 1, 2, fixed(kLong), true, func(_ *callCtx, a []value) (value, error) {
		if a[0].k != kString {
			return value{}, notSupported("hash() of %s (only strings hash like Kusto)", text.WithArticle(a[0].k.String()))
		}
		h := int64(xxhash64([]byte(a[0].s), 0))
		if len(a) == 2 {
			m, ok := iArg(a[1])
			if !ok || m <= 0 {
				return nullOf(kLong), nil
			}
			h %= m
			if h < 0 {
				h += m
			}
		}
		return longV(h), nil
	})
	register("base64_encode_tostring,base64_encodestring", 1, 1, fixed(kString), false, func(_ *callCtx, a []value) (value, error) {
		return strV(base64.StdEncoding.EncodeToString([]byte(sArg(a[0])))), nil
	})
	register("base64_decode_tostring,base64_decodestring", 1, 1, fixed(kString), false, func(_ *callCtx, a []value) (value, error) {
		b, ok := decodeB64(sArg(a[0]))
		if !ok {
			return strV(""), nil
		}
		return strV(string(b)), nil
	})
	register("base64_decode_toarray", 1, 1, fixed(kDynamic), false, func(_ *callCtx, a []value) (value, error) {
		b, ok := decodeB64(sArg(a[0]))
		if !ok {
			return nullOf(kDynamic), nil
		}
		out := make([]any, len(b))
		for i, c := range b {
			out[i] = int64(c)
		}
		return dynV(out), nil
	})
	register("url_decode", 1, 1, fixed(kString), false, func(_ *callCtx, a []value) (value, error) {
		s, err := url.QueryUnescape(sArg(a[0]))
		if err != nil {
			return strV(""), nil
		}
		return strV(s), nil
	})
	register("url_encode,url_encode_component", 1, 1, fixed(kString), false, func(_ *callCtx, a []value) (value, error) {
		return strV(lowerEscapes(url.QueryEscape(sArg(a[0])))), nil
	})
	register("parse_url", 1, 1, fixed(kDynamic), false, fnParseURL)
	register("parse_path", 1, 1, fixed(kDynamic), false, fnParsePath)
	register("parse_csv", 1, 1, fixed(kDynamic), false, func(_ *callCtx, a []value) (value, error) {
		r := csv.NewReader(strings.NewReader(sArg(a[0])))
		r.FieldsPerRecord = -1
		rec, err := r.Read()
		if err != nil {
			return dynV([]any{}), nil
		}
		out := make([]any, len(rec))
		for i, s := range rec {
			out[i] = s
		}
		return dynV(out), nil
	})
	unsupported := func(names, why string) {
		register(names, 0, 64, fixed(kNull), false, func(_ *callCtx, _ []value) (value, error) {
			return value{}, notSupported("%s", why)
		})
	}
	unsupported("geo_info_from_ip_address", "geo_info_from_ip_address (the sandbox has no IP geolocation database)")
	unsupported("parse_user_agent", "parse_user_agent (no user-agent database in the sandbox)")
	unsupported("parse_xml", "parse_xml")
	unsupported("series_fit_line,series_fit_2lines,series_stats,series_stats_dynamic,series_periods_detect,series_fill_linear,series_fill_forward,series_fill_backward,series_fill_const,series_iir,series_fir,series_decompose_forecast", "series analysis functions")
	unsupported("current_cluster_endpoint,current_database,current_principal,current_principal_details,cursor_current,estimate_data_size,extent_id,extent_tags,ingestion_time", "service metadata functions")
	unsupported("hll,hll_merge,dcount_hll,tdigest,tdigest_merge,percentile_tdigest,percentile_array_tdigest,percentrank_tdigest,rank_tdigest", "sketch functions")
}

func caseKind(a []kind) kind {
	k := kNull
	for i := 1; i < len(a); i += 2 {
		k = promote(k, a[i])
	}
	return promote(k, a[len(a)-1])
}

func hashFn(h func([]byte) []byte) func(*callCtx, []value) (value, error) {
	return func(_ *callCtx, a []value) (value, error) {
		return strV(hex.EncodeToString(h([]byte(toStringValue(a[0]))))), nil
	}
}

func decodeB64(s string) ([]byte, bool) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

func fnParseURL(_ *callCtx, a []value) (value, error) {
	u, err := url.Parse(sArg(a[0]))
	if err != nil || u.Scheme == "" {
		return dynV(map[string]any{}), nil
	}
	params := map[string]any{}
	for k, vs := range u.Query() {
		if len(vs) > 0 {
			params[k] = vs[len(vs)-1]
		}
	}
	pass, _ := u.User.Password()
	return dynV(map[string]any{
		"Scheme": u.Scheme, "Host": u.Hostname(), "Port": u.Port(), "Path": u.EscapedPath(),
		"Username": u.User.Username(), "Password": pass,
		"Query Parameters": params, "Fragment": u.Fragment,
	}), nil
}

func fnParsePath(_ *callCtx, a []value) (value, error) {
	p := sArg(a[0])
	out := map[string]any{"Scheme": "", "RootPath": "", "DirectoryPath": "", "DirectoryName": "", "Filename": "", "Extension": "", "AlternateDataStreamName": ""}
	rest := p
	if i := strings.Index(rest, "://"); i > 0 {
		out["Scheme"] = rest[:i]
		rest = rest[i+3:]
	}
	sep := strings.LastIndexAny(rest, `\/`)
	dir, file := "", rest
	if sep >= 0 {
		dir, file = rest[:sep], rest[sep+1:]
	}
	if len(rest) >= 2 && rest[1] == ':' {
		out["RootPath"] = rest[:2]
	} else if strings.HasPrefix(rest, `\\`) {
		if parts := strings.SplitN(rest[2:], `\`, 2); len(parts) > 0 {
			out["RootPath"] = parts[0]
		}
	}
	if i := strings.IndexByte(file, ':'); i >= 0 {
		out["AlternateDataStreamName"] = file[i+1:]
		file = file[:i]
	}
	out["DirectoryPath"] = dir
	if ds := strings.LastIndexAny(dir, `\/`); ds >= 0 {
		out["DirectoryName"] = dir[ds+1:]
	} else {
		out["DirectoryName"] = dir
	}
	out["Filename"] = file
	if dot := strings.LastIndexByte(file, '.'); dot >= 0 {
		out["Extension"] = file[dot+1:]
	}
	return dynV(out), nil
}

// lowerEscapes lower-cases %XX escapes, as .NET's UrlEncode writes them.
func lowerEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lowerHex(b[i+1]), lowerHex(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func lowerHex(c byte) byte {
	if c >= 'A' && c <= 'F' {
		return c + 32
	}
	return c
}
