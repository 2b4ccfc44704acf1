package docstore

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestPutGetIsolationAndBounds(t *testing.T) {
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Put("alpha", "k1", []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	// A second store on the same folder (a new process) reads it back.
	d2, _ := Open(d.Dir())
	if b, ok := d2.Get("alpha", "k1"); !ok || string(b) != `{"a":1}` {
		t.Fatalf("get = %q %v", b, ok)
	}
	if _, ok := d2.Get("beta", "k1"); ok {
		t.Fatal("another tenant read alpha's document")
	}
	for _, bad := range [][2]string{{"../alpha", "k1"}, {"alpha", "../../etc/passwd"}, {"alpha", ""}, {"", "k"}} {
		if err := d.Put(bad[0], bad[1], []byte("x")); err == nil {
			t.Errorf("put %q/%q accepted", bad[0], bad[1])
		}
		if _, ok := d.Get(bad[0], bad[1]); ok {
			t.Errorf("get %q/%q found something", bad[0], bad[1])
		}
	}
	for i := range MaxPerTenant + 5 {
		if err := d.Put("alpha", fmt.Sprintf("n%d", i), []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(d.Dir(), "alpha"))
	if len(entries) != MaxPerTenant {
		t.Fatalf("%d documents kept, want %d", len(entries), MaxPerTenant)
	}
	var nilStore *Disk
	if _, ok := nilStore.Get("alpha", "k1"); ok || nilStore.Put("alpha", "k1", nil) != nil {
		t.Fatal("nil store must store and find nothing")
	}
}
