package synth

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/resources"
)

type huntingDoc struct {
	Query   string `json:"query"`
	Columns []struct {
		Name string `json:"name"`
	} `json:"columns"`
	Rows      [][]any `json:"rows"`
	TotalRows int     `json:"totalRows"`
}

// HuntingFacet is an Advanced Hunting query the synthesizer ran and its rows.
type HuntingFacet struct {
	Purpose   string           `json:"purpose"`
	Query     string           `json:"query"`
	Rows      []map[string]any `json:"rows"`
	TotalRows int              `json:"totalRows"`
}

// kqlTime renders a KQL datetime literal.
func kqlTime(t time.Time) string { return "datetime(" + rfc(t) + ")" }

// huntDevicesJob summarises process activity per device in the window.
// Device names are safeName-checked, so they go into the literals as they are.
func huntDevicesJob(devices []string, w window) job {
	var conds []string
	for _, d := range devices {
		l := strings.ToLower(d)
		if strings.Contains(l, ".") {
			conds = append(conds, fmt.Sprintf("DeviceName =~ %q", l))
		} else {
			conds = append(conds, fmt.Sprintf("DeviceName =~ %q or DeviceName startswith %q", l, l+"."))
		}
	}
	q := "DeviceProcessEvents\n| where Timestamp between (" + kqlTime(w.from) + " .. " + kqlTime(w.to) + ")\n" +
		"| where " + strings.Join(conds, " or ") + "\n" +
		"| summarize ProcessEvents=count(), First=min(Timestamp), Last=max(Timestamp), Accounts=make_set(AccountName, 10), Processes=make_set(FileName, 10) by DeviceName\n" +
		"| order by DeviceName asc"
	purpose := "process activity on " + strings.Join(devices, ", ")
	return huntingJob("4-hunt-devices", purpose, q)
}

// huntIPJob summarises network connections to an IP address in the window.
func huntIPJob(ip string, w window) job {
	q := "DeviceNetworkEvents\n| where Timestamp between (" + kqlTime(w.from) + " .. " + kqlTime(w.to) + ")\n" +
		fmt.Sprintf("| where RemoteIP == %q\n", ip) +
		"| summarize Connections=count(), First=min(Timestamp), Last=max(Timestamp), Devices=make_set(DeviceName, 10), Ports=make_set(RemotePort, 10) by RemoteIP"
	return huntingJob("4-hunt-ip-"+ip, "network connections to "+ip, q)
}

func huntingJob(key, purpose, q string) job {
	return job{key: key, source: "Advanced Hunting: " + purpose, tool: toolHunting,
		args: map[string]any{"query": q, "top": 50},
		then: func(r *run, raw json.RawMessage) error {
			var d huntingDoc
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", toolHunting, err)
			}
			f := HuntingFacet{Purpose: purpose, Query: d.Query, Rows: d.maps(), TotalRows: d.TotalRows}
			doc, err := json.Marshal(f)
			if err != nil {
				return fmt.Errorf("encode hunting result: %w", err)
			}
			if r.store == nil {
				return fmt.Errorf("no store for hunting results")
			}
			id := r.store.Put(r.call.Tenant.Scope(r.ctx), doc)
			uri := resources.URI(r.call.Tenant.Alias, KindHuntingResource, id)
			r.set.Add(uri, KindHunting, key, "Advanced Hunting: "+purpose, toolHunting, "advancedHunting", f)
			return nil
		}}
}
