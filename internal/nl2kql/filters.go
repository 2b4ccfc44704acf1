package nl2kql

import (
	"strconv"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/schema"
)

// quote renders s as a KQL string literal.
func quote(s string) string {
	return strconv.Quote(s)
}

// entityPredicate is the where-predicate that keeps the rows of table t
// about entity e, and the role it filters on. ok is false when t has no
// column for e.
func entityPredicate(t *schema.Table, e Entity, p *Plan) (pred, role string, ok bool) {
	switch e.Kind {
	case EntityUser:
		return userPredicate(t, e)
	case EntityAccount:
		if c, ok := roleCol(t, roleAccount); ok {
			return c.Ref() + " =~ " + quote(e.Value), roleAccount, true
		}
		if c, ok := roleCol(t, roleUser); ok {
			return c.Ref() + " has " + quote(e.Value), roleUser, true
		}
	case EntityIP:
		return simple(t, roleIP, "==", e.Value)
	case EntitySHA256:
		return simple(t, roleSHA256, "==", e.Value)
	case EntitySHA1:
		return simple(t, roleSHA1, "==", e.Value)
	case EntityMD5:
		return simple(t, roleMD5, "==", e.Value)
	case EntityDevice:
		if c, ok := roleCol(t, roleDevice); ok {
			op := "startswith"
			if strings.Contains(e.Value, ".") {
				op = "=~"
			}
			return c.Ref() + " " + op + " " + quote(e.Value), roleDevice, true
		}
	case EntityFile:
		return filePredicate(t, e, p)
	case EntityURL:
		return simple(t, roleURL, "contains", e.Value)
	case EntityDomain:
		if c, ok := roleCol(t, roleDomain); ok {
			op := "has"
			if c.Name == "UrlDomain" || c.Name == "SenderFromDomain" || c.Name == "RecipientDomain" || c.Name == "UserDomain" {
				op = "=~"
			}
			return c.Ref() + " " + op + " " + quote(e.Value), roleDomain, true
		}
		return simple(t, roleURL, "has", e.Value)
	case EntityCVE:
		return simple(t, roleCVE, "==", e.Value)
	case EntityEventID:
		if _, ok := t.Column("EventID"); ok {
			return "EventID == " + e.Value, "eventid", true
		}
	case EntityPort:
		if c, ok := roleCol(t, rolePort); ok {
			return c.Ref() + " == " + e.Value, rolePort, true
		}
	case EntityCountry:
		return simple(t, roleCountry, "==", e.Value)
	case EntityText:
		return textPredicate(t, e, p)
	}
	return "", "", false
}

func simple(t *schema.Table, role, op, v string) (string, string, bool) {
	c, ok := roleCol(t, role)
	if !ok {
		return "", "", false
	}
	return c.Ref() + " " + op + " " + quote(v), role, true
}

// userPredicate filters on a UPN or address: sender or recipient in mail
// tables, the account's UPN elsewhere; tables that only store account
// names get the address's local part.
func userPredicate(t *schema.Table, e Entity) (string, string, bool) {
	v := quote(e.Value)
	if e.Role == "sender" || e.Role == "recipient" {
		if c, ok := roleCol(t, e.Role); ok {
			return c.Ref() + " =~ " + v, e.Role, true
		}
	}
	s, sok := roleCol(t, roleSender)
	r, rok := roleCol(t, roleRecipient)
	switch {
	case sok && rok:
		return "(" + s.Name + " =~ " + v + " or " + r.Name + " =~ " + v + ")", roleRecipient, true
	case rok:
		return r.Name + " =~ " + v, roleRecipient, true
	}
	switch t.Name {
	case "AuditLogs":
		return "(InitiatedBy has " + v + " or TargetResources has " + v + ")", roleUser, true
	case "SecurityAlert":
		return "Entities has " + v, roleUser, true
	case "SecurityIncident":
		return "(tostring(Owner) has " + v + " or Description has " + v + ")", roleUser, true
	}
	c, ok := roleCol(t, roleUser)
	if !ok {
		return "", "", false
	}
	switch c.Name {
	case "AccountName", "Account", "SubjectUserName", "TargetUserName", "UserName":
		local, _, _ := strings.Cut(e.Value, "@")
		return c.Name + " has " + quote(local), roleUser, true
	case "Identity", "ServicePrincipalName":
		return "", "", false
	}
	return c.Ref() + " =~ " + v, roleUser, true
}

// filePredicate filters on a file name: the parent process when the
// question says "launched by", else the file (or process) itself.
func filePredicate(t *schema.Table, e Entity, p *Plan) (string, string, bool) {
	v := quote(e.Value)
	role := roleFile
	if t.Name == "DeviceProcessEvents" {
		role = roleProcess
	}
	if e.Role == "parent" || hasAny(p.normalized, "launched", "spawned", "child", "parent", "initiated") {
		if e.Role == "parent" {
			role = roleParent
		}
	}
	c, ok := roleCol(t, role)
	if !ok {
		if c, ok = roleCol(t, roleFile); !ok {
			return "", "", false
		}
	}
	return c.Ref() + " =~ " + v, role, true
}

// textPredicate places a quoted phrase in the column the words before it
// name, or the table's most descriptive text column.
func textPredicate(t *schema.Table, e Entity, p *Plan) (string, string, bool) {
	op := "has"
	if strings.ContainsAny(e.Value, " \t/\\.") {
		op = "contains"
	}
	order := []string{roleSubject, roleTitle, roleCmdline, roleFile, roleApp, roleAction, roleURL, roleRegKey}
	i := strings.Index(p.Question, e.Value)
	if i > 0 {
		before := lastWords(p.Question[:i], 3)
		for w, r := range roleWords {
			if hasWord(before, w) {
				order = append([]string{r}, order...)
				break
			}
		}
	}
	for _, r := range order {
		if c, ok := roleCol(t, r); ok {
			return c.Ref() + " " + op + " " + quote(e.Value), r, true
		}
	}
	return "", "", false
}
