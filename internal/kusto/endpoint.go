package kusto

import (
	"fmt"
	"net/url"
	"strings"
)

// SentinelEndpointAt is SentinelEndpoint below another ADX proxy root: a
// national cloud's (https://ade.loganalytics.us) or an endpoint override
// from the configuration (endpoints.logAnalytics).
func SentinelEndpointAt(proxy, subscriptionID, resourceGroup, workspaceName string) (string, error) {
	def, err := SentinelEndpoint(subscriptionID, resourceGroup, workspaceName)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(strings.TrimRight(proxy, "/"))
	if err != nil || u.Host == "" || u.Scheme != "https" {
		return "", fmt.Errorf("kusto: sentinel endpoint: proxy %q must be an absolute https URL", proxy)
	}
	return strings.TrimRight(proxy, "/") + strings.TrimPrefix(def, defaultADXProxy), nil
}

// defaultADXProxy is the public cloud's Log Analytics ADX proxy, the root
// SentinelEndpoint builds on.
const defaultADXProxy = "https://ade.loganalytics.io"
