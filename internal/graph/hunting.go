package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	secreq "github.com/microsoftgraph/msgraph-sdk-go/security"

	"github.com/secmcp/secmcp/internal/contract"
	"github.com/secmcp/secmcp/internal/source"
)

// kqlTypes maps runHuntingQuery schema types back to KQL type names.
var kqlTypes = map[string]string{
	"string": "string", "datetime": "datetime", "int64": "long", "int32": "int", "long": "long", "int": "int",
	"double": "real", "real": "real", "decimal": "real", "boolean": "bool", "bool": "bool", "object": "dynamic",
	"dynamic": "dynamic", "guid": "guid", "timespan": "timespan", "sbyte": "bool",
}

// RunHuntingQuery runs Defender Advanced Hunting (security/runHuntingQuery)
// and converts the rows to the typed cells of source.Table. It sends the
// query's own time window as Timespan (contract.HuntingTimespan): without
// one the service cuts every query to 30 days, ago(90d) included.
func (c *Client) RunHuntingQuery(ctx context.Context, query string) (tab *source.Table, err error) {
	const op = "run hunting query"
	defer recoverTo(&err, op)
	if strings.TrimSpace(query) == "" {
		return nil, fmt.Errorf("graph: %s: empty query", op)
	}
	body := secreq.NewMicrosoftGraphSecurityRunHuntingQueryRunHuntingQueryPostRequestBody()
	body.SetQuery(&query)
	span, _, _ := contract.HuntingTimespan(query)
	body.SetTimespan(&span)
	res, err := c.sdk.Security().MicrosoftGraphSecurityRunHuntingQuery().Post(ctx, body, nil)
	if err != nil {
		return nil, c.mapErr(op, "", err)
	}
	if res == nil {
		return nil, fmt.Errorf("graph: %s: empty response", op)
	}
	tab = &source.Table{}
	for _, s := range res.GetSchema() {
		if s == nil {
			continue
		}
		name, typ := str(s.GetName()), str(s.GetTypeEscaped())
		// The SDK reads the documented lowercase keys; PascalCase ones
		// ("Name", "Type", as older responses send) land in AdditionalData.
		if ad := s.GetAdditionalData(); ad != nil {
			if name == "" {
				name, _ = deref(ad["Name"]).(string)
			}
			if typ == "" {
				typ, _ = deref(ad["Type"]).(string)
			}
		}
		t := kqlTypes[strings.ToLower(typ)]
		if t == "" {
			t = "string"
		}
		tab.Columns = append(tab.Columns, source.Column{Name: name, Type: t})
	}
	for _, r := range res.GetResults() {
		if r == nil {
			continue
		}
		data := r.GetAdditionalData()
		row := make([]any, len(tab.Columns))
		for i, col := range tab.Columns {
			row[i] = cell(col.Type, deref(data[col.Name]))
		}
		tab.Rows = append(tab.Rows, row)
	}
	return tab, nil
}

// cell converts a JSON value to the Go type of its KQL column type; values
// that do not parse are kept as they came.
func cell(kqlType string, v any) any {
	if v == nil {
		return nil
	}
	switch kqlType {
	case "datetime":
		if s, ok := v.(string); ok {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return t.UTC()
			}
		}
	case "long", "int":
		switch x := v.(type) {
		case int64:
			return x
		case float64:
			return int64(x)
		case string:
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				return n
			}
		}
	case "real":
		switch x := v.(type) {
		case int64:
			return float64(x)
		case float64:
			return x
		}
	case "timespan":
		if s, ok := v.(string); ok {
			if d, ok := parseTimespan(s); ok {
				return d
			}
		}
	case "dynamic":
		if s, ok := v.(string); ok && (strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")) {
			var x any
			if json.Unmarshal([]byte(s), &x) == nil {
				return x
			}
		}
	}
	return v
}

// parseTimespan reads "[-][d.]hh:mm:ss[.fffffff]".
func parseTimespan(s string) (time.Duration, bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var days int64
	if i := strings.IndexByte(s, '.'); i >= 0 && i < strings.IndexByte(s, ':') {
		d, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil {
			return 0, false
		}
		days, s = d, s[i+1:]
	}
	p := strings.Split(s, ":")
	if len(p) != 3 {
		return 0, false
	}
	h, err1 := strconv.ParseInt(p[0], 10, 64)
	m, err2 := strconv.ParseInt(p[1], 10, 64)
	sec, err3 := strconv.ParseFloat(p[2], 64)
	if err1 != nil || err2 != nil || err3 != nil || days > 100000 {
		return 0, false
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(sec*float64(time.Second))
	if neg {
		d = -d
	}
	return d, true
}
