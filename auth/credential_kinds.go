package auth

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"io"
	"os"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// maxCertificateBytes bounds the certificate file read.
const maxCertificateBytes = 1 << 20

type builder struct {
	tenantID         string
	cfg              CredentialConfig
	getenv           func(string) string
	co               azcore.ClientOptions
	disableDiscovery bool
	fail             func(format string, a ...any) error
}

// secretFrom reads the secret named by field/envVar; required secrets must be set.
func (b *builder) secretFrom(field, envVar string, required bool) (string, error) {
	if envVar == "" {
		if required {
			return "", b.fail("needs %s naming an environment variable", field)
		}
		return "", nil
	}
	if !envName.MatchString(envVar) {
		return "", b.fail("needs %s to be the NAME of an environment variable, not the secret itself", field)
	}
	v := b.getenv(envVar)
	if v == "" && required {
		return "", b.fail("needs %s naming an environment variable; %s is not set", field, envVar)
	}
	return v, nil
}

func (b *builder) needClientID() error {
	if b.cfg.ClientID == "" {
		return b.fail("needs clientId (the app registration's application id)")
	}
	return nil
}

func (b *builder) clientSecret() (azcore.TokenCredential, error) {
	if err := b.needClientID(); err != nil {
		return nil, err
	}
	secret, err := b.secretFrom("clientSecretEnv", b.cfg.ClientSecretEnv, true)
	if err != nil {
		return nil, err
	}
	c, err := azidentity.NewClientSecretCredential(b.tenantID, b.cfg.ClientID, secret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: b.co, DisableInstanceDiscovery: b.disableDiscovery})
	if err != nil {
		return nil, b.fail("failed: %v", err)
	}
	return c, nil
}

func (b *builder) certificate() (azcore.TokenCredential, error) {
	if err := b.needClientID(); err != nil {
		return nil, err
	}
	certs, key, err := b.loadCertificate()
	if err != nil {
		return nil, err
	}
	c, err := azidentity.NewClientCertificateCredential(b.tenantID, b.cfg.ClientID, certs, key, &azidentity.ClientCertificateCredentialOptions{
		ClientOptions: b.co, DisableInstanceDiscovery: b.disableDiscovery, SendCertificateChain: b.cfg.SendCertificateChain})
	if err != nil {
		return nil, b.fail("failed: %v", err)
	}
	return c, nil
}

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCertificateBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxCertificateBytes {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxCertificateBytes)
	}
	return data, nil
}

func (b *builder) workloadIdentity() (azcore.TokenCredential, error) {
	file := b.cfg.TokenFilePath
	if file == "" {
		file = b.getenv("AZURE_FEDERATED_TOKEN_FILE")
	}
	clientID := b.cfg.ClientID
	if clientID == "" {
		clientID = b.getenv("AZURE_CLIENT_ID")
	}
	if file == "" {
		return nil, b.fail("needs tokenFilePath or AZURE_FEDERATED_TOKEN_FILE (the federated token file)")
	}
	if clientID == "" {
		return nil, b.fail("needs clientId or AZURE_CLIENT_ID")
	}
	c, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
		ClientOptions: b.co, ClientID: clientID, TenantID: b.tenantID, TokenFilePath: file,
		DisableInstanceDiscovery: b.disableDiscovery})
	if err != nil {
		return nil, b.fail("failed: %v", err)
	}
	return c, nil
}

func (b *builder) managedIdentity() (azcore.TokenCredential, error) {
	o := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: b.co}
	if id := b.cfg.ManagedIdentityClientID; id != "" {
		o.ID = azidentity.ClientID(id)
	}
	c, err := azidentity.NewManagedIdentityCredential(o)
	if err != nil {
		return nil, b.fail("failed: %v", err)
	}
	return c, nil
}

func (b *builder) azureCLI() (azcore.TokenCredential, error) {
	c, err := azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: b.tenantID})
	if err != nil {
		return nil, b.fail("failed: %v", err)
	}
	return c, nil
}

func (b *builder) defaultChain() (azcore.TokenCredential, error) {
	c, err := azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
		ClientOptions: b.co, TenantID: b.tenantID, DisableInstanceDiscovery: b.disableDiscovery})
	if err != nil {
		return nil, b.fail("failed: %v", err)
	}
	return c, nil
}

// loadCertificate reads the configured certificate and its key (PEM or
// PKCS#12, optionally protected by the password in certificatePasswordEnv).
func (b *builder) loadCertificate() ([]*x509.Certificate, crypto.PrivateKey, error) {
	if b.cfg.CertificatePath == "" {
		return nil, nil, b.fail("needs certificatePath (a PEM or PKCS#12 file with the certificate and key)")
	}
	password, err := b.secretFrom("certificatePasswordEnv", b.cfg.CertificatePasswordEnv, false)
	if err != nil {
		return nil, nil, err
	}
	data, err := readBounded(b.cfg.CertificatePath)
	if err != nil {
		return nil, nil, b.fail("cannot read certificatePath: %v", err)
	}
	certs, key, err := azidentity.ParseCertificates(data, []byte(password))
	if err != nil {
		return nil, nil, b.fail("cannot parse certificate %s: %v", b.cfg.CertificatePath, err)
	}
	return certs, key, nil
}
