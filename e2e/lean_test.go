//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// TestBinaryStaysLean guards the start-up memory of issue 16: the Go
// runtime touches every interface table (itab) of the binary, and the type
// descriptors they point at, on every start, so the count of itabs is what
// peak RSS follows (3,001 itabs were ~28 MiB; 1,160 are ~22 MiB). Reading
// one msgraph-sdk-go model whose deserialisers reach a user or a
// directoryObject links ~1,700 of the SDK's models (internal/graph/lean.go
// explains); go-redis was replaced by internal/ratelimit/redisstore's own
// client. The bounds leave room for features, not for those regressions.
func TestBinaryStaysLean(t *testing.T) {
	bin := binary(t, "")
	out, err := exec.Command("go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	var itabs, sdkModels, redis int
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, " go:itab.") {
			itabs++
			if strings.Contains(line, "msgraph-sdk-go/models") {
				sdkModels++
			}
		}
		if strings.Contains(line, "github.com/redis/go-redis") {
			redis++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("itabs %d, of them msgraph-sdk-go models %d; go-redis symbols %d", itabs, sdkModels, redis)
	if itabs > 1600 || sdkModels > 400 {
		t.Errorf("the binary has %d itabs (%d of msgraph-sdk-go models); want at most 1,600 (400): a model that reaches the SDK's whole registry was linked, see internal/graph/lean.go", itabs, sdkModels)
	}
	if redis > 0 {
		t.Errorf("go-redis is linked again (%d symbols); the budget store has its own RESP client", redis)
	}
}
