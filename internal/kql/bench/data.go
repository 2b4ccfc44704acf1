package main

import (
	"fmt"
	"time"

	"github.com/secmcp/secmcp/internal/kql/engine"
)

// rng is splitmix64: tiny, fast and identical on every platform.
type rng uint64

func (r *rng) next() uint64 {
	*r += 0x9e3779b97f4a7c15
	z := uint64(*r)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

func (r *rng) pick(xs []string) string { return xs[r.intn(len(xs))] }

type tableSpec struct {
	name string
	cols []engine.Column
	rows func() [][]any
}

var (
	exes = []string{"svchost.exe", "chrome.exe", "msedge.exe", "explorer.exe", "cmd.exe", "conhost.exe",
		"rundll32.exe", "regsvr32.exe", "mshta.exe", "wmiprvse.exe", "taskhostw.exe", "OneDrive.exe",
		"Teams.exe", "outlook.exe", "winword.exe", "excel.exe", "notepad.exe", "msiexec.exe", "sc.exe",
		"net.exe", "whoami.exe", "certutil.exe", "bitsadmin.exe", "schtasks.exe", "reg.exe"}
	argSets = []string{"/c echo hello", "--type=renderer --lang=en-US", "-k netsvcs -p -s Schedule",
		"/S /Q C:\\Temp\\cache", "shell32.dll,Control_RunDLL", "/i package.msi /quiet",
		"query HKLM\\Software\\Microsoft", "/create /tn Updater /tr updater.exe", "-urlcache -f http://example.org/a.txt",
		"/transfer job1 http://example.org/b.bin C:\\b.bin", "user /domain", "/all", "--no-sandbox"}
	psArgs = []string{"-NoProfile -ExecutionPolicy Bypass -File run.ps1", "-noni -ep bypass -w hidden -enc SQBFAFgA",
		"-Command Get-Process", "-File C:\\Scripts\\inventory.ps1", "-nop -c Write-Output ok"}
	actions = []string{"ProcessCreated", "ProcessCreated", "ProcessCreated", "ProcessCreated", "ProcessCreated",
		"ProcessCreated", "ProcessCreated", "OpenProcessApiCall", "ProcessTerminated", "ProcessTerminated"}
	apps = []string{"Microsoft Teams", "Office 365 Exchange Online", "Azure Portal", "Microsoft Office",
		"OneDrive SyncEngine", "Azure CLI", "Microsoft Graph PowerShell", "SharePoint Online", "Outlook Mobile",
		"Windows Sign In", "Power BI", "Visual Studio Code", "Azure DevOps", "My Apps", "Intune Company Portal"}
	results   = []string{"0", "0", "0", "0", "0", "0", "0", "0", "0", "50126", "50074", "53003"}
	locations = []string{"US", "GB", "DE", "FR", "NL", "IE", "IN", "JP", "BR", "CA", "AU", "SE", "ES", "IT", "PL"}
	caStatus  = []string{"success", "success", "notApplied", "failure"}
	platforms = []string{"Windows10", "Windows11", "WindowsServer2019", "WindowsServer2022", "macOS", "Linux"}
)

func tables(n int) []tableSpec {
	return []tableSpec{
		{name: "DeviceProcessEvents", cols: []engine.Column{
			{Name: "Timestamp", Type: "datetime"}, {Name: "DeviceId", Type: "string"}, {Name: "DeviceName", Type: "string"},
			{Name: "ActionType", Type: "string"}, {Name: "FileName", Type: "string"}, {Name: "FolderPath", Type: "string"},
			{Name: "ProcessCommandLine", Type: "string"}, {Name: "AccountName", Type: "string"},
			{Name: "InitiatingProcessFileName", Type: "string"}, {Name: "ProcessId", Type: "long"},
		}, rows: func() [][]any { return processRows(n) }},
		{name: "SigninLogs", cols: []engine.Column{
			{Name: "TimeGenerated", Type: "datetime"}, {Name: "UserPrincipalName", Type: "string"},
			{Name: "IPAddress", Type: "string"}, {Name: "AppDisplayName", Type: "string"},
			{Name: "ResultType", Type: "string"}, {Name: "Location", Type: "string"},
			{Name: "ConditionalAccessStatus", Type: "string"},
		}, rows: func() [][]any { return signinRows(n) }},
		{name: "DeviceInfo", cols: []engine.Column{
			{Name: "DeviceId", Type: "string"}, {Name: "OSPlatform", Type: "string"},
		}, rows: deviceRows},
	}
}

// at returns a timestamp within the week before the clock, millisecond precision.
func at(r *rng) time.Time {
	return clock.Add(-time.Duration(r.intn(7*24*3600*1000)) * time.Millisecond)
}

func processRows(n int) [][]any {
	r := rng(42)
	rows := make([][]any, n)
	for i := range rows {
		dev := r.intn(1000)
		exe := r.pick(exes)
		if r.intn(20) == 0 {
			exe = "powershell.exe"
		}
		args := r.pick(argSets)
		if exe == "powershell.exe" {
			args = r.pick(psArgs)
		}
		rows[i] = []any{
			at(&r), fmt.Sprintf("dev-%04d", dev), fmt.Sprintf("host%04d.contoso.com", dev),
			r.pick(actions), exe, `C:\Windows\System32\` + exe, exe + " " + args,
			fmt.Sprintf("user%03d", r.intn(500)), r.pick(exes), int64(1 + r.intn(65535)),
		}
	}
	return rows
}

func signinRows(n int) [][]any {
	r := rng(7)
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{
			at(&r), fmt.Sprintf("user%04d@contoso.com", r.intn(5000)),
			fmt.Sprintf("10.%d.%d.%d", r.intn(4), r.intn(256), r.intn(20)),
			r.pick(apps), r.pick(results), r.pick(locations), r.pick(caStatus),
		}
	}
	return rows
}

func deviceRows() [][]any {
	r := rng(3)
	rows := make([][]any, 1000)
	for i := range rows {
		rows[i] = []any{fmt.Sprintf("dev-%04d", i), r.pick(platforms)}
	}
	return rows
}
