package nl2kql

import (
	"github.com/secmcp/secmcp/internal/kql/catalog"
	"github.com/secmcp/secmcp/internal/kqlcheck"
)

// checkerFor is the checker for a target: the target product's tables and
// columns from the table catalogue when the service validates against the
// built-in schema (a Defender target never gets a Sentinel-only table, and
// vice versa), else the service's own checker.
func (s *Service) checkerFor(target string) *kqlcheck.Checker {
	if target == "" || s.checker != kqlcheck.Default() {
		return s.checker
	}
	if c, err := kqlcheck.ForTarget(target); err == nil {
		return c
	}
	return s.checker
}

// nativeForm writes a question without a target in the native form of its
// best table (Advanced Hunting when it has the table, see
// catalog.Table.Native): that product's columns and time column, and only
// the candidate tables that product has — so one query never mixes the
// Advanced Hunting and Log Analytics forms of a table.
func (s *Service) nativeForm(p *Plan) {
	if p.Target != "" || p.checker != nil || s.checker != kqlcheck.Default() || len(p.Tables) == 0 {
		return
	}
	ct, ok := catalog.Lookup(p.Tables[0].Name)
	if !ok {
		return
	}
	product := string(ct.Native())
	if ct.In(catalog.Sentinel) && needsSentinel(p) {
		product = PlatformSentinel
	}
	c, err := kqlcheck.ForTarget(product)
	if err != nil {
		return
	}
	p.checker, p.schema, p.writeFor = c, c.Schema(), product
	kept := p.Tables[:0]
	for _, tc := range p.Tables {
		if t, ok := p.schema.Table(tc.Name); ok {
			tc.TimeColumn = timeColumn(t, product)
			kept = append(kept, tc)
		}
	}
	p.Tables = kept
}

// needsSentinel reports whether the plan leans on a Sentinel-only table
// besides its main one: an alert pivot (through SecurityAlert) or a
// strong second candidate that only Log Analytics has.
func needsSentinel(p *Plan) bool {
	if p.alertPivot {
		return true
	}
	for i, tc := range p.Tables {
		if i == 0 || i > 2 {
			continue
		}
		ct, ok := catalog.Lookup(tc.Name)
		if ok && !ct.In(catalog.Defender) && tc.Score >= 3 && strongReason(tc) {
			return true
		}
	}
	return false
}

// product is the product the query is written for: the target, or the
// native product nativeForm chose ("" when neither).
func (p *Plan) product() string {
	if p.Target != "" {
		return p.Target
	}
	return p.writeFor
}
