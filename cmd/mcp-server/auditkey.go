package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// auditKeyEnv is the environment variable that may hold the audit key.
const auditKeyEnv = "SECMCP_AUDIT_KEY"

// minAuditKey is the shortest audit key accepted, in bytes.
const minAuditKey = 16

// auditKey returns the secret that keys the audit log's argument digests
// and says where it came from: the variable the configuration names
// (auditKeyEnv), else SECMCP_AUDIT_KEY, else the key file (--audit-key-file,
// default $XDG_STATE_HOME/secmcp/audit.key or ~/.local/state/secmcp/audit.key),
// which is created with a random key, mode 0600, when it does not exist.
func auditKey(configEnv, file string, getenv func(string) string) ([]byte, string, error) {
	for _, name := range []string{configEnv, auditKeyEnv} {
		if name == "" {
			continue
		}
		v := getenv(name)
		if v == "" {
			if name == configEnv {
				return nil, "", fmt.Errorf("auditKeyEnv names %s, which is empty or unset; set it to a secret of at least %d bytes", name, minAuditKey)
			}
			continue
		}
		if len(v) < minAuditKey {
			return nil, "", fmt.Errorf("%s holds %d bytes; the audit key needs at least %d (e.g. openssl rand -hex 32)", name, len(v), minAuditKey)
		}
		return []byte(v), "environment variable " + name, nil
	}
	if file == "" {
		var err error
		if file, err = defaultAuditKeyFile(getenv); err != nil {
			return nil, "", err
		}
	}
	key, err := readOrCreateKey(file)
	if err != nil {
		return nil, "", fmt.Errorf("audit key: %w; set %s or --audit-key-file", err, auditKeyEnv)
	}
	return key, "file " + file, nil
}

// defaultAuditKeyFile is audit.key in the user's state directory.
func defaultAuditKeyFile(getenv func(string) string) (string, error) {
	dir := getenv("XDG_STATE_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			return "", fmt.Errorf("audit key: neither XDG_STATE_HOME nor HOME is set; set %s or --audit-key-file", auditKeyEnv)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "secmcp", "audit.key"), nil
}

// readOrCreateKey reads the hex key in path, or creates the file (and its
// directory, 0700) with 32 random bytes. A key file others can read is
// refused: the key is what keeps the digests from being reversed.
func readOrCreateKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return readOrCreateKey(path) // another server created it first
		}
		if err != nil {
			return nil, err
		}
		_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		return key, werr
	}
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s can be read by other users (mode %04o); chmod 600 it", path, st.Mode().Perm())
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < minAuditKey {
		return nil, fmt.Errorf("%s must hold at least %d bytes as hex (delete it to have a new key generated)", path, minAuditKey)
	}
	return key, nil
}
