package engine

import (
	"context"
	"testing"
	"time"
)

func TestSmoke(t *testing.T) {
	q := `let T = datatable(a:long, s:string, d:dynamic)[1, "Hello World", dynamic({"x":[1,2]}), 2, "foo-bar", dynamic(null), 3, "", dynamic({"x":[]})];
T | where s has "world" or a > 1 | extend n = strlen(s), y = d.x[0], z = bin(a, 2) | summarize c=count(), m=make_set(s) by z | order by z asc`
	res, err := Query(context.Background(), q, nil, Options{Clock: func() time.Time { return time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + res.String())
}
