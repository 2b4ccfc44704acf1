package nl2kql

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/schema"
)

// pivotEntity is how a SecurityAlert entity (the Entities JSON array,
// Microsoft's documented entity shapes) yields the value of a role.
type pivotEntity struct {
	typ, expr string
}

var pivotEntities = map[string]pivotEntity{
	roleIP:     {"ip", "tostring(Entity.Address)"},
	roleUser:   {"account", `tolower(strcat(tostring(Entity.Name), "@", tostring(Entity.UPNSuffix)))`},
	roleDevice: {"host", "tostring(Entity.HostName)"},
	roleSHA256: {"filehash", "tostring(Entity.Value)"},
	roleURL:    {"url", "tostring(Entity.Url)"},
	roleDomain: {"dns", "tostring(Entity.DomainName)"},
}

// pivotRoleWords order the roles by the words of the question.
var pivotRoleWords = []struct {
	words []string
	role  string
}{
	{[]string{"ip"}, roleIP},
	{[]string{"hash", "sha256", "file"}, roleSHA256},
	{[]string{"domain", "dns"}, roleDomain},
	{[]string{"url", "link"}, roleURL},
	{[]string{"device", "host", "hostname"}, roleDevice},
	{[]string{"user", "account"}, roleUser},
}

// pivotFollow returns the table an alert pivot follows into (nil when the
// question is about the alerts themselves).
func (g *Templates) pivotFollow(p *Plan) *schema.Table {
	if !p.alertPivot {
		return nil
	}
	name := p.Tables[0].Name
	if name == "SecurityAlert" || name == "AlertInfo" || name == "AlertEvidence" {
		if len(p.Tables) < 2 {
			return nil
		}
		c := p.Tables[1]
		if c.Score < 3 || !strongReason(c) || c.Name == "SecurityIncident" {
			return nil
		}
		name = c.Name
	}
	t, ok := g.schemaFor(p).Table(name)
	if !ok {
		return nil
	}
	return t
}

// pivotKey picks the role shared by the alert's entities and table t.
func pivotKey(t *schema.Table, p *Plan) (string, Col, bool) {
	var order []string
	for _, pr := range pivotRoleWords {
		for _, w := range pr.words {
			if p.words[w] {
				order = append(order, pr.role)
				break
			}
		}
	}
	order = append(order, roleUser, roleIP, roleDevice, roleSHA256)
	for _, r := range order {
		if c, ok := roleCol(t, r); ok {
			return r, c, true
		}
	}
	return "", Col{}, false
}

// pivot writes an alert pivot: the entities of the matching alerts, then
// the rows of the follow-up table about them.
func (g *Templates) pivot(p *Plan, t *schema.Table) (Draft, bool) {
	role, c, ok := pivotKey(t, p)
	if !ok {
		return Draft{}, false
	}
	pe := pivotEntities[role]
	var d Draft
	var b strings.Builder
	source := "SecurityAlert"
	if _, ok := g.schemaFor(p).Table("SecurityAlert"); ok {
		b.WriteString("let AlertEntities = SecurityAlert")
		writeWindow(&b, "TimeGenerated", p.Window)
		if p.AlertProduct != "" {
			fmt.Fprintf(&b, "\n| where ProductName == %s", quote(p.AlertProduct))
		}
		fmt.Fprintf(&b, "\n| mv-expand Entity = todynamic(Entities)\n| where tostring(Entity.Type) == %s\n| extend Key = %s\n| where isnotempty(Key)\n| distinct Key;\n", quote(pe.typ), pe.expr)
	} else if ev, ok := evidenceEntities[role]; ok {
		// Advanced Hunting: the alerts' entities are AlertEvidence rows.
		source = "AlertEvidence"
		b.WriteString("let AlertEntities = AlertEvidence")
		writeWindow(&b, "Timestamp", p.Window)
		if src, ok := serviceSources[p.AlertProduct]; ok {
			fmt.Fprintf(&b, "\n| where ServiceSource == %s", quote(src))
		}
		fmt.Fprintf(&b, "\n| where EntityType == %s\n| where isnotempty(%s)\n| distinct Key = %s;\n", quote(ev[0]), ev[1], ev[1])
	} else {
		return Draft{}, false
	}
	tc := timeColumn(t, p.product())
	b.WriteString(t.Name)
	writeWindow(&b, tc, p.Window)
	fmt.Fprintf(&b, "\n| where %s in~ (AlertEntities)", c.Ref())
	let, notes := writeEnrichment(&b, t, p)
	d.Assumptions = append(d.Assumptions, notes...)
	filtered, notes := writeFilters(&b, t, p, nil)
	d.Assumptions = append(d.Assumptions, notes...)
	filtered[role] = true
	sub := *p
	sub.Tables = append([]TableChoice{{Name: t.Name, TimeColumn: tc}}, p.Tables...)
	sub.Intent.Percent = sub.Intent.Percent && len(conceptPreds(t, p)) > 0
	keys, notes := keyCols(t, &sub, filtered)
	d.Assumptions = append(d.Assumptions, notes...)
	writeShape(&b, t, tc, &sub, keys, filtered)
	src := "the matching alerts"
	if p.AlertProduct != "" {
		src = "alerts from " + p.AlertProduct
	}
	d.Assumptions = append(d.Assumptions, fmt.Sprintf("followed the %s entities of %s in %s into %s.%s", pe.typ, src, source, t.Name, c.Name))
	d.Query = let + b.String()
	return d, true
}

// serviceSources are AlertEvidence's ServiceSource names of the products
// SecurityAlert names by ProductName
// (https://learn.microsoft.com/en-us/defender-xdr/advanced-hunting-alertevidence-table,
// https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/securityalert).
var serviceSources = map[string]string{
	"Microsoft Defender Advanced Threat Protection": "Microsoft Defender for Endpoint",
	"Azure Advanced Threat Protection":              "Microsoft Defender for Identity",
	"Microsoft Cloud App Security":                  "Microsoft Defender for Cloud Apps",
	"Office 365 Advanced Threat Protection":         "Microsoft Defender for Office 365",
	"Azure Security Center":                         "Microsoft Defender for Cloud",
}
