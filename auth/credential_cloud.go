package auth

import (
	"fmt"
	"strings"
)

// Cloud names accepted by CloudEndpoints and NewCredential.
const (
	CloudPublic = "public"
	CloudUSGov  = "usgov"
	CloudChina  = "china"
	// CloudDemo is the in-process emulator; its endpoints are known only at
	// run time (see DemoEndpoints).
	CloudDemo = "demo"
)

// Endpoints are a cloud's Entra ID authority and service roots.
type Endpoints struct {
	Cloud string
	// AuthorityHost is the Entra ID login host ("https://login.microsoftonline.com/").
	AuthorityHost string
	// GraphURL is the Graph v1.0 root and GraphScope its client-credentials scope.
	GraphURL   string
	GraphScope string
	// LogAnalyticsADXProxy is the ADX proxy root through which azkustodata
	// reaches a Sentinel (Log Analytics) workspace:
	// <proxy>/subscriptions/<sub>/resourcegroups/<rg>/providers/microsoft.operationalinsights/workspaces/<ws>.
	LogAnalyticsADXProxy string
	// KustoSuffix is the DNS suffix of Azure Data Explorer clusters.
	KustoSuffix string
}

var clouds = map[string]Endpoints{
	CloudPublic: {Cloud: CloudPublic, AuthorityHost: "https://login.microsoftonline.com/",
		GraphURL: "https://graph.microsoft.com/v1.0", GraphScope: "https://graph.microsoft.com/.default",
		LogAnalyticsADXProxy: "https://ade.loganalytics.io", KustoSuffix: ".kusto.windows.net"},
	CloudUSGov: {Cloud: CloudUSGov, AuthorityHost: "https://login.microsoftonline.us/",
		GraphURL: "https://graph.microsoft.us/v1.0", GraphScope: "https://graph.microsoft.us/.default",
		LogAnalyticsADXProxy: "https://ade.loganalytics.us", KustoSuffix: ".kusto.usgovcloudapi.net"},
	CloudChina: {Cloud: CloudChina, AuthorityHost: "https://login.chinacloudapi.cn/",
		GraphURL: "https://microsoftgraph.chinacloudapi.cn/v1.0", GraphScope: "https://microsoftgraph.chinacloudapi.cn/.default",
		LogAnalyticsADXProxy: "https://ade.loganalytics.azure.cn", KustoSuffix: ".kusto.chinacloudapi.cn"},
}

// CloudEndpoints returns the endpoints of a named cloud ("" means public).
// The demo cloud has no fixed endpoints: use DemoEndpoints with the
// emulator's URL.
func CloudEndpoints(cloud string) (Endpoints, error) {
	c := strings.ToLower(strings.TrimSpace(cloud))
	if c == "" {
		c = CloudPublic
	}
	if c == CloudDemo {
		return Endpoints{}, fmt.Errorf("cloud %q: endpoints come from the emulator; use auth.DemoEndpoints(emulatorURL)", cloud)
	}
	e, ok := clouds[c]
	if !ok {
		return Endpoints{}, fmt.Errorf("unknown cloud %q (want public, usgov, china or demo)", cloud)
	}
	return e, nil
}

// DemoEndpoints are the emulator's endpoints. Graph tokens keep the public
// Graph scope, which is what the emulator checks.
func DemoEndpoints(emulatorURL string) Endpoints {
	u := strings.TrimRight(emulatorURL, "/")
	return Endpoints{Cloud: CloudDemo, AuthorityHost: u + "/", GraphURL: u + "/v1.0",
		GraphScope: "https://graph.microsoft.com/.default", LogAnalyticsADXProxy: u}
}
