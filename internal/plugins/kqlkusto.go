package plugins

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/tools"
)

// Errors of an Azure Data Explorer cluster that a Kusto-target skill can
// meet because it was written for another cluster: the database or a table
// it names is not there. ADX answers a missing database with 404 and
// "Entity name 'X' of kind 'Database' does not exist." (older clusters:
// "Entity ID 'X' of kind 'Database' was not found"), a missing table with
// a semantic error "Failed to resolve table or column expression named 'X'"
// (https://learn.microsoft.com/kusto/api/rest/response-codes).
var (
	adxNoDatabaseRE = lazyre.New(`Entity (?:name|ID) '([^']*)' of kind 'Database' (?:does not exist|was not found)`)
	adxNoTableRE    = lazyre.New(`Failed to resolve (?:table or column|table) expression named '([^']*)'`)
)

// kustoError turns a cluster's refusal of a Kusto-target skill into a tool
// error naming what is missing, on which cluster, and the cluster the skill
// was written for when that is another one. secmcp sends a tenant's
// queries (and its token) only to the cluster configured for the tenant:
// a manifest cannot point them elsewhere.
func (sk *KQLSkill) kustoError(env *Env, t *tenant.Tenant, src *tenant.Sources, db string, err error) error {
	cluster := src.ADXURL
	if cluster == "" {
		cluster = "(configured)"
	}
	var note string
	if want := sk.setting(env, t, "Cluster"); want != "" && !strings.Contains(want, "{{") && !strings.EqualFold(clusterHost(want), clusterHost(src.ADXURL)) {
		note = fmt.Sprintf(" (the skill was written for cluster %s; secmcp queries only the Azure Data Explorer cluster configured for the tenant)", want)
	}
	var te *tools.ToolError
	switch m, n := adxNoDatabaseRE.FindStringSubmatch(err.Error()), adxNoTableRE.FindStringSubmatch(err.Error()); {
	case errors.As(err, &te):
		return err
	case m != nil:
		return &tools.ToolError{Kind: "not_found", Msg: fmt.Sprintf("database %s does not exist on tenant %s's Azure Data Explorer cluster %s%s; give the plugin the database to use with pluginSettings (%s: {Database: <name>}) under the tenant", m[1], t.Alias, cluster, note, sk.PluginName)}
	case n != nil:
		return &tools.ToolError{Kind: "not_found", Msg: fmt.Sprintf("table %s does not exist in database %s on tenant %s's Azure Data Explorer cluster %s%s", n[1], db, t.Alias, cluster, note)}
	}
	return tools.FromSource(err, "query", "", t.Alias)
}

// clusterHost is a cluster URL's host, lower-cased ("" when it has none).
func clusterHost(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil {
		return ""
	}
	return strings.ToLower(p.Host)
}

// kustoDatabase is the database a Kusto-target skill queries: the tenant's
// pluginSettings Database for the plugin (the operator's word), else the
// skill's Database setting, else the tenant's configured database.
func (sk *KQLSkill) kustoDatabase(env *Env, t *tenant.Tenant, src *tenant.Sources) string {
	if env.Settings != nil {
		if d := strings.TrimSpace(env.Settings(t.Alias, sk.PluginName)["Database"]); d != "" {
			return d
		}
	}
	if d := sk.setting(env, t, "Database"); d != "" && !strings.Contains(d, "{{") {
		return d
	}
	return src.ADXDB
}
