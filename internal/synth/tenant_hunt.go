package synth

import (
	"encoding/json"
	"fmt"
	"strings"
)

// outlierSpec is a tenant-wide Advanced Hunting ranking: one row per
// entity with a metric, ranked by it, with outliers at or above factor ×
// the median of all entities (and at least floor).
type outlierSpec struct {
	key, purpose, entityKind string
	// entity and metric are the query's column names.
	entity, metric string
	factor, floor  float64
	rankedBy       string
	query          func(w window) string
}

var outgoingSpec = outlierSpec{key: "outgoing", purpose: "outgoing network connections by device", entityKind: "device",
	entity: "DeviceName", metric: "Connections", factor: 3, floor: 10,
	rankedBy: "outgoing connections per device (DeviceNetworkEvents rows other than inbound accepts and listeners); outstanding means at least 3 times the median of all devices",
	query: func(w window) string {
		return "DeviceNetworkEvents\n| where Timestamp between (" + kqlTime(w.from) + " .. " + kqlTime(w.to) + ")\n" +
			"| where ActionType != \"InboundConnectionAccepted\" and ActionType != \"ListeningConnectionCreated\"\n" +
			"| summarize Connections=count(), RemoteIPs=dcount(RemoteIP), RemotePorts=make_set(RemotePort, 5), First=min(Timestamp), Last=max(Timestamp) by DeviceName\n" +
			"| order by Connections desc, DeviceName asc"
	}}

var processSpec = outlierSpec{key: "device-outliers", purpose: "process activity by device", entityKind: "device",
	entity: "DeviceName", metric: "ProcessEvents", factor: 3, floor: 10,
	rankedBy: "process events per device (DeviceProcessEvents); an outlier has at least 3 times the median of all devices",
	query: func(w window) string {
		return "DeviceProcessEvents\n| where Timestamp between (" + kqlTime(w.from) + " .. " + kqlTime(w.to) + ")\n" +
			"| summarize ProcessEvents=count(), DistinctFiles=dcount(FileName), Accounts=dcount(AccountName), First=min(Timestamp), Last=max(Timestamp) by DeviceName\n" +
			"| order by ProcessEvents desc, DeviceName asc"
	}}

var userSignInSpec = outlierSpec{key: "user-outliers", purpose: "failed sign-ins and countries by user", entityKind: "user",
	entity: "AccountUpn", metric: "FailedSignIns", factor: 3, floor: 3,
	rankedBy: "failed sign-ins per user (EntraIdSignInEvents rows with a non-zero ErrorCode), then distinct countries; an outlier has at least 3 times the median of all users and at least 3",
	query: func(w window) string {
		return "EntraIdSignInEvents\n| where Timestamp between (" + kqlTime(w.from) + " .. " + kqlTime(w.to) + ")\n" +
			"| where isnotempty(AccountUpn)\n" +
			"| summarize SignIns=count(), FailedSignIns=countif(ErrorCode != 0), Countries=dcount(Country), IPAddresses=dcount(IPAddress) by AccountUpn\n" +
			"| order by FailedSignIns desc, Countries desc, AccountUpn asc"
	}}

// outlierHuntJob runs spec's query on the tenant, ranks the rows by the
// metric, marks outliers against the median, and fans out to the top ones.
func outlierHuntJob(spec outlierSpec, w window, top int) job {
	q := spec.query(w)
	return job{key: "0-tenant-" + spec.key, source: "Advanced Hunting (tenant): " + spec.purpose, tool: toolHunting,
		args: map[string]any{"query": q, "top": 500},
		then: func(r *run, raw json.RawMessage) error {
			var d huntingDoc
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", toolHunting, err)
			}
			rows := d.maps()
			var metrics []float64
			for _, m := range rows {
				metrics = append(metrics, num(m[spec.metric]))
			}
			med := median(metrics)
			threshold := max(spec.factor*med, spec.floor)
			f := RankingFacet{Purpose: spec.purpose, RankedBy: spec.rankedBy, Tool: toolHunting, Query: q, Since: w.from, Until: w.to,
				Candidates: len(rows), Median: med, OutlierThreshold: threshold, Totals: map[string]any{"outliers": 0}}
			if d.TotalRows > len(rows) {
				f.Truncated = fmt.Sprintf("only the top %d of %d rows were ranked", len(rows), d.TotalRows)
			}
			outliers := 0
			for _, m := range rows {
				if num(m[spec.metric]) >= threshold {
					outliers++
				}
			}
			f.Totals["outliers"] = outliers
			for i, m := range rows {
				if i == top {
					break
				}
				e := map[string]any{"rank": i + 1, "outlier": num(m[spec.metric]) >= threshold}
				for k, v := range m {
					e[k] = v
				}
				f.Entries = append(f.Entries, e)
				name, _ := m[spec.entity].(string)
				switch {
				case name == "":
				case spec.entityKind == "user" && r.budget.take("user", strings.ToLower(name)):
					r.userFanOut(strings.ToLower(name), window{})
				case spec.entityKind == "device" && safeName(name) && r.budget.take("device", strings.ToLower(shortName(name))):
					r.deviceFanOut(name, w)
				}
			}
			return r.addRanking("0-"+spec.key, f)
		}}
}
