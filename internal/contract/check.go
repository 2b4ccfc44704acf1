package contract

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Violation is one broken rule of a request.
type Violation struct {
	// Endpoint is the matched endpoint's ID ("" when none matched).
	Endpoint string
	// Rule says which rule broke, in a few words.
	Rule string
	// Doc is the page the rule comes from.
	Doc string
	// Status, Code and Message are the error the service answers with;
	// Status 0 marks a client-side rule the service does not enforce (the
	// Prefer header, a runHuntingQuery Timespan): the emulator lets those
	// through, the contract test does not.
	Status  int
	Code    string
	Message string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s: %s (%s)", orDash(v.Endpoint), v.Rule, v.Doc)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// optionName is how the OData validator names a query option in its errors.
var optionName = map[string]string{"$skip": "Skip", "$skiptoken": "SkipToken", "$orderby": "OrderBy", "$select": "Select",
	"$top": "Top", "$filter": "Filter", "$expand": "Expand", "$count": "Count", "$search": "Search", "$apply": "Apply",
	"$format": "Format"}

// allowedSuffix completes the OData validator's refusal, word for word as
// Microsoft quotes it (DocQueryOptionWording).
const allowedSuffix = " is not allowed. To allow it, set the '%s' property on EnableQueryAttribute or QueryValidationSettings."

// Check returns the rules a request breaks: the method and path must be a
// documented endpoint, every query option documented for it, $top within
// its maximum, every $filter property and operator documented, every
// $expand a relationship it documents; Graph calls must carry
// Prefer: include-unknown-enum-members and runHuntingQuery calls a Timespan
// (client-side rules, Status 0). body is the request body (may be nil).
func Check(method string, u *url.URL, h http.Header, body []byte) []Violation {
	e, ok := Match(method, u.Path)
	if !ok {
		return []Violation{{Rule: "undocumented endpoint " + method + " " + u.Path, Doc: DocQueryParams,
			Status: http.StatusBadRequest, Code: "BadRequest",
			Message: "Resource not found for the segment '" + lastSegment(u.Path) + "'."}}
	}
	var out []Violation
	q := u.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !strings.HasPrefix(k, "$") {
			continue
		}
		if e.IgnoresOption(k) {
			out = append(out, Violation{Endpoint: e.ID, Rule: "query option " + k + " is accepted but not applied by the service",
				Doc: orDoc(e.IgnoredDoc, e.Docs[0])})
			continue
		}
		if !e.HasOption(k) {
			name := optionName[strings.ToLower(k)]
			if name == "" {
				name = strings.TrimPrefix(k, "$")
			}
			out = append(out, Violation{Endpoint: e.ID, Rule: "query option " + k + " is not documented", Doc: e.Docs[0],
				Status: http.StatusBadRequest, Code: "BadRequest",
				Message: fmt.Sprintf("Query option '%s'"+allowedSuffix, name, "AllowedQueryOptions")})
		}
	}
	out = append(out, checkTop(e, q)...)
	if f := q.Get("$filter"); f != "" && e.HasOption("$filter") {
		out = append(out, checkFilter(e, f)...)
	}
	if x := q.Get("$expand"); x != "" && e.HasOption("$expand") {
		out = append(out, checkExpand(e, x)...)
	}
	return append(out, clientRules(e, h, body)...)
}

func checkTop(e *Endpoint, q url.Values) []Violation {
	t := q.Get("$top")
	if t == "" || !e.HasOption("$top") {
		return nil
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 {
		return []Violation{{Endpoint: e.ID, Rule: "$top is not a non-negative integer", Doc: DocQueryParams,
			Status: http.StatusBadRequest, Code: "BadRequest",
			Message: fmt.Sprintf("Invalid value '%s' for $top query option found. The $top query option requires a non-negative integer value.", t)}}
	}
	if e.TopMax > 0 && n > e.TopMax {
		return []Violation{{Endpoint: e.ID, Rule: fmt.Sprintf("$top %d over the documented maximum %d", n, e.TopMax), Doc: e.Docs[0],
			Status: http.StatusBadRequest, Code: "BadRequest",
			Message: fmt.Sprintf("The limit of '%d' for Top query has been exceeded. The value from the incoming request is '%d'.", e.TopMax, n)}}
	}
	return nil
}

func checkFilter(e *Endpoint, f string) []Violation {
	uses, err := FilterUses(f)
	if err != nil || e.Filter == nil { // syntax errors are the parser's to word

		return nil
	}
	var out []Violation
	for _, u := range uses {
		ops, ok := lookupFold(e.Filter, u.Property)
		if !ok {
			out = append(out, Violation{Endpoint: e.ID, Rule: "$filter on undocumented property " + u.Property, Doc: e.Docs[0],
				Status: http.StatusBadRequest, Code: "BadRequest",
				Message: fmt.Sprintf("Invalid filter clause: The property '%s' cannot be used in the $filter query option.", u.Property)})
			continue
		}
		if !containsFold(ops, u.Operator) {
			kind, setting := "Logical operator", "AllowedLogicalOperators"
			if isFunction(u.Operator) {
				kind, setting = "Function", "AllowedFunctions"
			}
			out = append(out, Violation{Endpoint: e.ID, Rule: fmt.Sprintf("$filter operator %s on %s is not documented", u.Operator, u.Property),
				Doc: e.Docs[0], Status: http.StatusBadRequest, Code: "BadRequest",
				Message: fmt.Sprintf("%s '%s'"+allowedSuffix, kind, operatorName(u.Operator), setting)})
		}
	}
	return out
}

func checkExpand(e *Endpoint, x string) []Violation {
	var out []Violation
	for _, item := range SplitTopLevel(x) {
		name := strings.TrimSpace(item)
		if i := strings.IndexByte(name, '('); i >= 0 {
			name = strings.TrimSpace(name[:i])
		}
		if !containsFold(e.Expand, name) {
			out = append(out, Violation{Endpoint: e.ID, Rule: "$expand of undocumented relationship " + name, Doc: e.Docs[0],
				Status: http.StatusBadRequest, Code: "BadRequest",
				Message: fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.%s'.", name, orDash(e.Resource))})
		}
	}
	return out
}

// clientRules are the rules the service does not enforce but the client must follow.
func clientRules(e *Endpoint, h http.Header, body []byte) []Violation {
	var out []Violation
	if (e.Service == "graph" || e.Service == "hunting") && !WantsUnknownEnums(h) {
		out = append(out, Violation{Endpoint: e.ID, Rule: "Graph call without Prefer: " + PreferUnknownEnums, Doc: DocBestPractices})
	}
	if e.Service == "hunting" {
		var b struct {
			Query    string `json:"Query"`
			Timespan string `json:"Timespan"`
		}
		if json.Unmarshal(body, &b) != nil || strings.TrimSpace(b.Timespan) == "" {
			out = append(out, Violation{Endpoint: e.ID, Rule: "runHuntingQuery without Timespan (the service then applies its 30-day default)", Doc: DocHunting})
		}
	}
	return out
}

func lastSegment(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

func lookupFold(m map[string][]string, k string) ([]string, bool) {
	if v, ok := m[k]; ok {
		return v, true
	}
	for kk, v := range m {
		if strings.EqualFold(kk, k) {
			return v, true
		}
	}
	return nil, false
}

func containsFold(xs []string, s string) bool {
	for _, x := range xs {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func orDoc(d, fallback string) string {
	if d == "" {
		return fallback
	}
	return d
}
