// Package doctor proves that a configuration works against real tenants:
// for each tenant it acquires a token, calls every endpoint the enabled
// tools need with the cheapest request that still needs the endpoint's
// permission and license ($top=1 on lists, a trivial hunting and Log
// Analytics query), and reports one row per endpoint: the permission
// needed, the result (ok / missing permission / not licensed / unreachable
// / ...) and what to do.
//
// The doctor reads no SDK itself: each tenant is a Target, which
// internal/sources implements with the tenant's own credential, endpoints
// and HTTP policy, so what the doctor proves is what the tools will use.
package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Target is one tenant, opened the way the server opens it.
type Target interface {
	// Alias names the tenant.
	Alias() string
	// Token acquires a Graph token (the credential works at all).
	Token(ctx context.Context) error
	// Graph sends one request below the Graph v1.0 root (path with its
	// query) and returns the status and body; err when no answer came.
	Graph(ctx context.Context, method, path string, body []byte) (int, []byte, error)
	// HasLogAnalytics reports whether the tenant has a Sentinel workspace.
	HasLogAnalytics() bool
	// LogAnalytics runs query on the workspace through the Kusto client and
	// returns the status and error body of a failed answer.
	LogAnalytics(ctx context.Context, query string) (int, []byte, error)
}

// Row is one line of the report.
type Row struct {
	Tenant     string
	Endpoint   string
	Permission string
	Status     Status
	Detail     string
	Todo       string
	// Tools are the enabled tools that need the endpoint.
	Tools []string
}

// Report is the doctor's answer for all tenants.
type Report struct{ Rows []Row }

// Failed reports whether any enabled tool cannot work.
func (r Report) Failed() bool {
	for _, row := range r.Rows {
		if row.Status.Failed() {
			return true
		}
	}
	return false
}

// Options configure Run.
type Options struct {
	// Tools are the enabled tools (the server's --toolsets/--tools/--exclude-tools).
	Tools []string
	// Timeout bounds each check (default 60s).
	Timeout time.Duration
}

// Run checks every target.
func Run(ctx context.Context, targets []Target, opts Options) Report {
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	var rep Report
	for _, t := range targets {
		rep.Rows = append(rep.Rows, runTarget(ctx, t, opts)...)
	}
	return rep
}

func runTarget(ctx context.Context, t Target, opts Options) []Row {
	cs, users := plan(opts.Tools, t.HasLogAnalytics())
	tokenRow := Row{Tenant: t.Alias(), Endpoint: "token (Entra ID client credentials)", Permission: "-"}
	tctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	err := t.Token(tctx)
	cancel()
	if err != nil {
		tokenRow.Status, tokenRow.Detail = StatusNoToken, clip(rootCause(err), 200)
		tokenRow.Todo = tokenTodo(err)
		rows := []Row{tokenRow}
		for _, c := range cs {
			rows = append(rows, Row{Tenant: t.Alias(), Endpoint: label(c), Permission: needsOf(c.ID).Permission,
				Status: StatusSkipped, Detail: "no token", Todo: "fix the token first", Tools: users[c.ID]})
		}
		return rows
	}
	tokenRow.Status = StatusOK
	rows := []Row{tokenRow}
	ids := map[string]string{}
	for _, c := range cs {
		row := Row{Tenant: t.Alias(), Endpoint: label(c), Permission: needsOf(c.ID).Permission, Tools: users[c.ID]}
		row.Status, row.Detail = runCheck(ctx, t, c, ids, opts.Timeout)
		row.Todo = todo(c, row.Status, users[c.ID])
		rows = append(rows, row)
	}
	return rows
}

// runCheck sends one check; ids carries the first user and device read, for
// the checks below them.
func runCheck(ctx context.Context, t Target, c check, ids map[string]string, timeout time.Duration) (Status, string) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	path := c.Path
	for key, id := range map[string]string{"{user}": "users.get", "{device}": "managedDevices.list"} {
		if !strings.Contains(path, key) {
			continue
		}
		v, ok := ids[id]
		if !ok {
			return StatusSkipped, "needs an object from " + id + ", which returned none"
		}
		path = strings.ReplaceAll(path, key, v)
	}
	var (
		status int
		body   []byte
		err    error
	)
	if c.Service == ServiceLogAnalytics {
		status, body, err = t.LogAnalytics(ctx, logAnalyticsQuery)
	} else {
		status, body, err = t.Graph(ctx, c.Method, path, []byte(c.Body))
	}
	st, detail := classify(c, status, body, err)
	if st == StatusOK && (c.ID == "users.get" || c.ID == "managedDevices.list") {
		if id := firstID(body); id != "" {
			ids[c.ID] = id
		}
	}
	return st, detail
}

// firstID reads value[0].id of a Graph collection.
func firstID(body []byte) string {
	var coll struct {
		Value []struct {
			ID string `json:"id"`
		} `json:"value"`
	}
	if json.Unmarshal(body, &coll) != nil || len(coll.Value) == 0 {
		return ""
	}
	return coll.Value[0].ID
}

// label is the endpoint column: method and path as sent.
func label(c check) string {
	switch c.Service {
	case ServiceLogAnalytics:
		return fmt.Sprintf("POST Log Analytics query (%s)", logAnalyticsQuery)
	case ServiceHunting:
		return fmt.Sprintf("POST /security/runHuntingQuery (%s)", huntingQuery)
	}
	return c.Method + " " + c.Path
}
