package nl2kql

import (
	"strings"

	"github.com/secmcp/secmcp/internal/kql/catalog"
)

// renamedColumns are the columns a replacement table names differently
// from the deprecated table it replaced. EntraIdSignInEvents calls the
// device id EntraIdDeviceId (AadDeviceId in AADSignInEventsBeta) and has no
// RiskLevelDuringSignIn; its RiskLevelAggregated is the "aggregated risk
// level during sign-in" on the same 0/10/50/100 scale
// (https://learn.microsoft.com/defender-xdr/advanced-hunting-entraidsigninevents-table).
var renamedColumns = map[string]map[string]string{
	"EntraIdSignInEvents": {"AadDeviceId": "EntraIdDeviceId", "RiskLevelDuringSignIn": "RiskLevelAggregated"},
}

// deprecatedTables maps each deprecated catalogue table
// (AADSignInEventsBeta, AADSpnSignInEventsBeta) to its replacement. It is
// called by package initialisers, so it reads the catalogue's static list
// rather than loading the whole catalogue at start-up.
func deprecatedTables() map[string]string { return catalog.Replacements() }

// preferProfiles moves each deprecated table's profile to its replacement,
// so questions are answered from the table Microsoft tells hunters to use;
// the deprecated table keeps an empty profile (a question that names it, or
// a hint, can still select it).
func preferProfiles(profs map[string]profile) map[string]profile {
	for name, repl := range deprecatedTables() {
		if p, ok := profs[name]; ok && (p.strong != "" || p.weak != "") {
			profs[repl] = p
			profs[name] = profile{}
		}
	}
	return profs
}

// preferConcepts gives each replacement table the concept boosts of the
// deprecated table it replaced (which loses them) and its predicates with
// renamed columns (which the deprecated table keeps).
func preferConcepts(concepts []concept) []concept {
	for name, repl := range deprecatedTables() {
		for i := range concepts {
			cp := &concepts[i]
			if w, ok := cp.boost[name]; ok {
				delete(cp.boost, name)
				cp.boost[repl] = max(cp.boost[repl], w)
			}
			if pred, ok := cp.pred[name]; ok {
				if _, has := cp.pred[repl]; !has {
					cp.pred[repl] = renameColumns(pred, renamedColumns[repl])
				}
			}
		}
	}
	return concepts
}

// renameColumns rewrites whole-word column names in a predicate.
func renameColumns(pred string, renames map[string]string) string {
	for from, to := range renames {
		var b strings.Builder
		rest := pred
		for {
			i := strings.Index(rest, from)
			if i < 0 {
				b.WriteString(rest)
				break
			}
			end := i + len(from)
			whole := (i == 0 || !isWordByte(rest[i-1])) && (end == len(rest) || !isWordByte(rest[end]))
			b.WriteString(rest[:i])
			if whole {
				b.WriteString(to)
			} else {
				b.WriteString(from)
			}
			rest = rest[end:]
		}
		pred = b.String()
	}
	return pred
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
