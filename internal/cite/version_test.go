package cite

import "testing"

func TestExtractVersionsAsOneFact(t *testing.T) {
	facts := Extract("The device runs 10.0.19045.2006 and Office 16.7.8, from 198.51.100.7.")
	var kinds []Kind
	for _, f := range facts {
		if f.Kind == KindNumber {
			t.Errorf("version split into a number fact: %+v", f)
		}
		kinds = append(kinds, f.Kind)
	}
	want := map[string]bool{"10.0.19045.2006": false, "16.7.8": false, "198.51.100.7": false}
	for _, f := range facts {
		if _, ok := want[f.Value]; ok {
			want[f.Value] = true
		}
	}
	for v, ok := range want {
		if !ok {
			t.Errorf("fact %q not extracted: %v", v, facts)
		}
	}
}
