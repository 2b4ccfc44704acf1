package lazyre

import (
	"sync"
	"testing"
)

func TestCompilesOnceOnFirstUseConcurrently(t *testing.T) {
	r := New(`a(b+)c`)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if m := r.FindStringSubmatch("xabbc"); len(m) != 2 || m[1] != "bb" {
				t.Errorf("FindStringSubmatch = %q, want [abbc bb]", m)
			}
		}()
	}
	wg.Wait()
	if r.Re() != r.Re() {
		t.Fatal("Re compiled twice")
	}
}

func TestCompileAllNamesABadPattern(t *testing.T) {
	New(`ok`)
	bad := New(`(unclosed`)
	err := CompileAll()
	if err == nil {
		t.Fatal("CompileAll accepted (unclosed")
	}
	mu.Lock()
	all = all[:len(all)-1] // leave the registry clean for other tests
	mu.Unlock()
	defer func() {
		if recover() == nil {
			t.Error("a bad pattern did not panic on first use")
		}
	}()
	bad.MatchString("x")
}
