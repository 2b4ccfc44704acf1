package engine

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// benchCatalog is a 200,000-row event table and a 500-row device table with
// seeded values, built once per test binary.
var benchCatalog = sync.OnceValue(func() MapCatalog {
	const n, devices = 200_000, 500
	exes := []string{"svchost.exe", "chrome.exe", "cmd.exe", "powershell.exe", "rundll32.exe", "net.exe", "whoami.exe"}
	args := []string{"/c echo hello", "-nop -ep bypass -enc SQBFAFgA", "--type=renderer", "/all", "user /domain"}
	seed := uint64(1)
	next := func() uint64 { // splitmix64
		seed += 0x9e3779b97f4a7c15
		z := seed
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		return z ^ (z >> 31)
	}
	rows := make([][]any, n)
	for i := range rows {
		exe := exes[next()%uint64(len(exes))]
		rows[i] = []any{
			goldenClock.Add(-time.Duration(next()%(7*24*3600)) * time.Second),
			fmt.Sprintf("dev-%03d", next()%devices), exe,
			exe + " " + args[next()%uint64(len(args))], fmt.Sprintf("user%d", next()%2000), int64(next() % 65536),
		}
	}
	ev, err := FromRows("Events", []Column{{"Timestamp", "datetime"}, {"DeviceId", "string"}, {"FileName", "string"},
		{"CommandLine", "string"}, {"Account", "string"}, {"Pid", "long"}}, rows)
	if err != nil {
		panic(err)
	}
	drows := make([][]any, devices)
	for i := range drows {
		drows[i] = []any{fmt.Sprintf("dev-%03d", i), []string{"Windows10", "Windows11", "Linux"}[i%3]}
	}
	dev, err := FromRows("Devices", []Column{{"DeviceId", "string"}, {"OS", "string"}}, drows)
	if err != nil {
		panic(err)
	}
	return MapCatalog{"Events": ev, "Devices": dev}
})

var benchQueries = []struct{ name, q string }{
	{"filter", `Events | where FileName == "powershell.exe" and Timestamp > ago(1d) | count`},
	{"has", `Events | where CommandLine has "bypass" | count`},
	{"summarize", `Events | summarize c = count() by Account`},
	{"dcount", `Events | summarize dcount(Account) by FileName`},
	{"top", `Events | top 10 by Timestamp desc`},
	{"sort", `Events | sort by Pid asc | take 5`},
	{"join", `Events | where FileName != "chrome.exe" | join kind=inner Devices on DeviceId | summarize count() by OS`},
	{"extend", `Events | extend s = strcat(FileName, "|", Account), l = strlen(CommandLine) | summarize max(l) by s`},
	{"series", `Events | make-series c = count() default = 0 on Timestamp step 1h by FileName`},
	{"mvexpand", `Events | take 20000 | extend a = split(CommandLine, " ") | mv-expand a | summarize count() by tostring(a)`},
	{"makelist", `Events | summarize l = make_set(Account) by DeviceId | extend n = array_length(l) | summarize sum(n)`},
	{"range", `range x from 1 to 200000 step 1 | extend y = x % 7 | summarize count() by y`},
}

// BenchmarkQuery measures typical hunting shapes over 200,000 rows:
//
//	go test -run '^$' -bench . -benchmem ./internal/kql/engine/
func BenchmarkQuery(b *testing.B) {
	cat := benchCatalog()
	opts := Options{Clock: func() time.Time { return goldenClock }}
	for _, bq := range benchQueries {
		b.Run(bq.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Query(context.Background(), bq.q, cat, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
