package scripts

import (
	"fmt"
	"net"
	"strings"

	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/internal/lazyre"
	"github.com/secmcp/secmcp/internal/psdeob"
)

// Hunting queries look back over Advanced Hunting's 30 days. Values come from
// the script, i.e. from the attacker: each is bounded, refused if it holds a
// control character, and written as an escaped KQL string literal; every
// query is then validated and only valid, safe queries with no schema errors
// are returned.
const (
	huntLookback   = "30d"
	huntMaxValues  = 25
	huntMaxValue   = 512
	huntBlobPrefix = 64
	huntRows       = 1000
)

// huntInputs are the facts a query can search for.
type huntInputs struct {
	domains, ips, urls, files, keys, fragments, blobs []string
	sha256, sha1, md5                                 []string
}

func huntingQueries(a *psdeob.Analysis, check *kqlcheck.Checker) []HuntingQuery {
	in := collectHuntInputs(a)
	var cands []HuntingQuery
	for _, build := range []func(huntInputs) (HuntingQuery, bool){networkQuery, urlClickQuery, processQuery, fileQuery, hashQuery, registryQuery} {
		if q, ok := build(in); ok {
			cands = append(cands, q)
		}
	}
	out := []HuntingQuery{}
	for _, q := range cands {
		if rep := check.Validate(q.Query); rep.Valid && rep.Safe && rep.Errors == 0 {
			out = append(out, q)
		}
	}
	return out
}

func collectHuntInputs(a *psdeob.Analysis) huntInputs {
	h := a.HuntingHints
	in := huntInputs{
		domains: cleanValues(h.Domains), urls: cleanValues(h.URLs), files: cleanValues(h.FileNames),
		keys: cleanValues(registrySubKeys(h.RegistryKeys)),
	}
	var ips []string
	for _, ip := range h.IPs {
		if p := net.ParseIP(ip); p != nil && !p.IsLoopback() && !p.IsUnspecified() {
			ips = append(ips, ip)
		}
	}
	in.ips = cleanValues(ips)
	for _, i := range a.Indicators {
		if i.Type != "hash" {
			continue
		}
		switch len(i.Value) {
		case 64:
			in.sha256 = append(in.sha256, i.Value)
		case 40:
			in.sha1 = append(in.sha1, i.Value)
		case 32:
			in.md5 = append(in.md5, i.Value)
		}
	}
	in.sha256, in.sha1, in.md5 = cleanValues(in.sha256), cleanValues(in.sha1), cleanValues(in.md5)
	if len(a.Layers) > 0 {
		in.fragments, in.blobs = commandLineFacts(a.Layers[0].Text, h.CommandLineFragments)
	}
	return in
}

var blobRe = lazyre.New(`[A-Za-z0-9+/]{80,}={0,2}`)

// commandLineFacts returns the hunting fragments that appear literally in the
// input (what DeviceProcessEvents records) and the prefixes of long Base64
// runs in it (an -EncodedCommand argument identifies the same launch).
func commandLineFacts(input string, fragments []string) (frags, blobs []string) {
	lower := strings.ToLower(input)
	for _, f := range fragments {
		if strings.Contains(lower, strings.ToLower(f)) {
			frags = append(frags, f)
		}
	}
	for _, m := range blobRe.FindAllString(input, 5) {
		blobs = append(blobs, m[:huntBlobPrefix])
	}
	return cleanValues(frags), cleanValues(blobs)
}

var hivePrefixRe = lazyre.New(`(?i)^(?:Microsoft\.PowerShell\.Core\\)?(?:Registry::)?(?:HKLM|HKCU|HKCR|HKU|HKCC|HKEY_LOCAL_MACHINE|HKEY_CURRENT_USER|HKEY_CLASSES_ROOT|HKEY_USERS|HKEY_CURRENT_CONFIG)(?::\\|:|\\)`)

// registrySubKeys drops the hive, which DeviceRegistryEvents spells
// differently (HKEY_CURRENT_USER\<SID>\... for HKCU:\...).
func registrySubKeys(keys []string) []string {
	var out []string
	for _, k := range keys {
		sub := strings.Trim(hivePrefixRe.ReplaceAllString(k, ""), `\`)
		if strings.Contains(sub, `\`) && len(sub) >= 8 {
			out = append(out, sub)
		}
	}
	return out
}

// cleanValues de-duplicates (case-insensitively), drops values that are too
// long or hold control characters, and keeps at most huntMaxValues.
func cleanValues(vals []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range vals {
		v = strings.TrimSpace(v)
		k := strings.ToLower(v)
		if v == "" || len(v) > huntMaxValue || seen[k] || strings.ContainsFunc(v, isControl) {
			continue
		}
		seen[k] = true
		out = append(out, v)
		if len(out) == huntMaxValues {
			break
		}
	}
	return out
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// kqlString quotes s as a KQL string literal.
func kqlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func kqlList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = kqlString(v)
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// anyOf joins "col contains v" tests with or.
func anyOf(col, op string, vals []string) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = col + " " + op + " " + kqlString(v)
	}
	return strings.Join(parts, " or ")
}

func allOf(col, op string, vals []string) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = col + " " + op + " " + kqlString(v)
	}
	return "(" + strings.Join(parts, " and ") + ")"
}

// query assembles table | time filter | where (clauses or'ed) | project | order | take.
func query(table string, clauses []string, project string) string {
	return fmt.Sprintf("%s\n| where Timestamp > ago(%s)\n| where %s\n| project %s\n| order by Timestamp desc\n| take %d",
		table, huntLookback, strings.Join(clauses, "\n    or "), project, huntRows)
}
