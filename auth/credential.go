package auth

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// Credential kinds (CredentialConfig.Kind).
const (
	KindClientSecret     = "clientSecret"
	KindCertificate      = "certificate"
	KindWorkloadIdentity = "workloadIdentity"
	KindManagedIdentity  = "managedIdentity"
	KindAzureCLI         = "azureCLI"
	KindDefault          = "default"
)

// CredentialConfig says how a tenant authenticates outbound. It holds names
// of environment variables and file paths, never a secret, so it can live in
// a configuration file and be logged.
type CredentialConfig struct {
	// Kind is clientSecret, certificate, workloadIdentity, managedIdentity, azureCLI or default.
	Kind string `yaml:"kind" json:"kind"`
	// ClientID is the app registration's (or user-assigned identity's) client id.
	ClientID string `yaml:"clientId,omitempty" json:"clientId,omitempty"`
	// ClientSecretEnv names the environment variable holding the client secret.
	ClientSecretEnv string `yaml:"clientSecretEnv,omitempty" json:"clientSecretEnv,omitempty"`
	// CertificatePath is a PEM or PKCS#12 file with the certificate and its private key.
	CertificatePath string `yaml:"certificatePath,omitempty" json:"certificatePath,omitempty"`
	// CertificatePasswordEnv names the environment variable holding the certificate's password, if any.
	CertificatePasswordEnv string `yaml:"certificatePasswordEnv,omitempty" json:"certificatePasswordEnv,omitempty"`
	// SendCertificateChain sends the x5c header (subject name/issuer authentication).
	SendCertificateChain bool `yaml:"sendCertificateChain,omitempty" json:"sendCertificateChain,omitempty"`
	// TokenFilePath is the federated token file of a workload identity
	// (default: $AZURE_FEDERATED_TOKEN_FILE).
	TokenFilePath string `yaml:"tokenFilePath,omitempty" json:"tokenFilePath,omitempty"`
	// ManagedIdentityClientID selects a user-assigned managed identity ("" = system-assigned).
	ManagedIdentityClientID string `yaml:"managedIdentityClientId,omitempty" json:"managedIdentityClientId,omitempty"`
}

var envName = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*$`)

// safeEnv shows an env var name, or hides a value that is not a name (a
// secret pasted into the field by mistake).
func safeEnv(s string) string {
	if s == "" || envName.MatchString(s) {
		return s
	}
	return "<not a variable name, redacted>"
}

// String describes the config without secrets.
func (c CredentialConfig) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "credential{kind=%s", c.Kind)
	if c.ClientID != "" {
		fmt.Fprintf(&b, " clientId=%s", c.ClientID)
	}
	if c.ClientSecretEnv != "" {
		fmt.Fprintf(&b, " clientSecretEnv=%s", safeEnv(c.ClientSecretEnv))
	}
	if c.CertificatePath != "" {
		fmt.Fprintf(&b, " certificatePath=%s", c.CertificatePath)
	}
	if c.CertificatePasswordEnv != "" {
		fmt.Fprintf(&b, " certificatePasswordEnv=%s", safeEnv(c.CertificatePasswordEnv))
	}
	if c.ManagedIdentityClientID != "" {
		fmt.Fprintf(&b, " managedIdentityClientId=%s", c.ManagedIdentityClientID)
	}
	b.WriteString("}")
	return b.String()
}

// LogValue makes slog print the redacted form.
func (c CredentialConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", c.Kind), slog.String("clientId", c.ClientID),
		slog.String("clientSecretEnv", safeEnv(c.ClientSecretEnv)), slog.String("certificatePath", c.CertificatePath),
		slog.String("certificatePasswordEnv", safeEnv(c.CertificatePasswordEnv)),
		slog.String("managedIdentityClientId", c.ManagedIdentityClientID))
}

// CredentialOptions are the run-time (not configured) inputs of NewCredential.
type CredentialOptions struct {
	// Label names the tenant in errors (its alias; default: the tenant id).
	Label string
	// AuthorityHost overrides the cloud's login host; required for the demo
	// cloud (the emulator's URL). Must be https: MSAL refuses anything else.
	AuthorityHost string
	// HTTPClient carries token requests, normally with the tenant's
	// httppolicy transport (and, for the emulator, its CA pool). When set,
	// azcore's own retries are disabled so attempts are not multiplied.
	HTTPClient *http.Client
	// DisableInstanceDiscovery skips MSAL's instance discovery request; it
	// is forced on for the demo cloud.
	DisableInstanceDiscovery bool
}

// compile-time check: *http.Client is what azcore calls a Transporter.
var _ policy.Transporter = (*http.Client)(nil)

// NewCredential builds the azidentity credential for one tenant. getenv
// reads secrets by the names the config gives (os.Getenv in production; a
// map in tests; for demo tenants, a function that also answers the
// emulator's demo secret).
func NewCredential(tenantID, cloudName string, cfg CredentialConfig, getenv func(string) string, opts CredentialOptions) (azcore.TokenCredential, error) {
	label := opts.Label
	if label == "" {
		label = tenantID
	}
	fail := func(format string, a ...any) error {
		return fmt.Errorf("tenant %s: credential kind %q %s", label, cfg.Kind, fmt.Sprintf(format, a...))
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	if strings.TrimSpace(tenantID) == "" && cfg.Kind != KindManagedIdentity && cfg.Kind != KindAzureCLI {
		return nil, fail("needs the tenant id")
	}
	co, disableDiscovery, err := clientOptions(cloudName, opts)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: %w", label, err)
	}
	b := &builder{tenantID: tenantID, cfg: cfg, getenv: getenv, co: co, disableDiscovery: disableDiscovery, fail: fail}
	switch cfg.Kind {
	case KindClientSecret:
		return b.clientSecret()
	case KindCertificate:
		return b.certificate()
	case KindWorkloadIdentity:
		return b.workloadIdentity()
	case KindManagedIdentity:
		return b.managedIdentity()
	case KindAzureCLI:
		return b.azureCLI()
	case KindDefault:
		return b.defaultChain()
	case "":
		return nil, fmt.Errorf("tenant %s: credential kind is missing (want clientSecret, certificate, workloadIdentity, managedIdentity, azureCLI or default)", label)
	}
	return nil, fail("is not a known kind (want clientSecret, certificate, workloadIdentity, managedIdentity, azureCLI or default)")
}

// clientOptions resolves the authority host and transport.
func clientOptions(cloudName string, opts CredentialOptions) (azcore.ClientOptions, bool, error) {
	var co azcore.ClientOptions
	host := opts.AuthorityHost
	demo := strings.EqualFold(strings.TrimSpace(cloudName), CloudDemo)
	if host == "" {
		if demo {
			return co, false, fmt.Errorf("cloud demo needs CredentialOptions.AuthorityHost (the emulator URL)")
		}
		ep, err := CloudEndpoints(cloudName)
		if err != nil {
			return co, false, err
		}
		host = ep.AuthorityHost
	} else if !demo {
		if _, err := CloudEndpoints(cloudName); err != nil {
			return co, false, err
		}
	}
	u, err := url.Parse(host)
	if err != nil || u.Host == "" {
		return co, false, fmt.Errorf("authority host %q is not an absolute URL", host)
	}
	if u.Scheme != "https" {
		return co, false, fmt.Errorf("authority host %q must use https (MSAL refuses other schemes)", host)
	}
	co.Cloud = cloud.Configuration{ActiveDirectoryAuthorityHost: strings.TrimRight(host, "/") + "/"}
	if opts.HTTPClient != nil {
		co.Transport = opts.HTTPClient
		co.Retry = policy.RetryOptions{MaxRetries: -1}
	}
	return co, opts.DisableInstanceDiscovery || demo, nil
}
