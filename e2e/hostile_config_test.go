//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// configCases starts the binary with configuration files that used to be
// accepted silently; each must stop at once naming the problem.
func configCases(ctx context.Context, t *testing.T, _ *limitedServer, _ *mcpConn) (string, error) {
	dir := t.TempDir()
	tenant := "tenants:\n  - alias: %s\n    tenantId: 00000000-0000-4000-8000-000000000001\n" +
		"    credential: {kind: clientSecret, clientId: 11111111-1111-4111-8111-111111111111, clientSecretEnv: X_SECRET}\n"
	key := "    keySha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n    tenants: [contoso]\n"
	cases := map[string]struct{ body, want string }{
		"oversized": {fmt.Sprintf(tenant, "contoso") + strings.Repeat("# "+strings.Repeat("x", 1022)+"\n", 4100) + "stdioTenants: [contoso]\n", "larger than the 4 MiB limit"},
		"duplicate key hash": {fmt.Sprintf(tenant, "contoso") + "principals:\n  - name: a\n" + key + "  - name: b\n" + key,
			`keySha256 is the same as principal "a"'s`},
		"reserved alias":  {fmt.Sprintf(tenant, "attack"), `the alias is reserved`},
		"duplicate alias": {fmt.Sprintf(tenant, "contoso") + strings.TrimPrefix(fmt.Sprintf(tenant, "contoso"), "tenants:\n"), "alias is used twice"},
	}
	var out []string
	for name, cc := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".yaml")
		if err := os.WriteFile(path, []byte(cc.body), 0o600); err != nil {
			return "", err
		}
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		cmd := exec.CommandContext(cctx, binary(t, ""), "--config", path)
		cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+dir)
		b, err := cmd.CombinedOutput()
		cancel()
		if err == nil || !strings.Contains(string(b), cc.want) {
			return "", fmt.Errorf("%s: %v %.300s; want an error containing %q", name, err, b, cc.want)
		}
		out = append(out, name)
	}
	return "refused at start: " + strings.Join(out, ", "), nil
}
