package kusto

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"
)

// FuzzKustoFrames feeds arbitrary response bodies through the guard and the
// SDK's decoder: any outcome but a panic or a hang is acceptable. Run longer
// with: go test ./internal/kusto -run '^$' -fuzz FuzzKustoFrames -fuzztime 60s
func FuzzKustoFrames(f *testing.F) {
	okTable := twoCols + fragment(`["a",1],["b",null]`) + completion(2, "")
	for _, seed := range []string{
		hdr + props + okTable + info + done,
		hdr + props + twoCols + fragment(`["a",1,"x"]`) + completion(1, "") + info + done,
		hdr + props + `,{"FrameType":"TableHeader","TableId":1,"TableKind":"PrimaryResult","TableName":"P","Columns":[{"ColumnName":"d","ColumnType":"dynamic"},{"ColumnName":"t","ColumnType":"timespan"},{"ColumnName":"g","ColumnType":"guid"}]}` + "\n" +
			fragment(`[{"a":[1,{"b":2}]},"1.00:00:00","00000000-0000-0000-0000-000000000000"]`) + completion(1, "") + info + done,
		hdr + props + okTable + info + `,{"FrameType":"DataSetCompletion","HasErrors":true,"Cancelled":false,"OneApiErrors":[{"error":{"@message":"x"}}]}` + "\n]\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		res, err := readDataSet(ctx, io.NopCloser(bytes.NewReader(body)), 100, 1<<20)
		if ctx.Err() != nil {
			t.Fatalf("hang on %q", body)
		}
		if err == nil && (res == nil || res.Table == nil) {
			t.Fatalf("nil result without error for %q", body)
		}
		if err == nil {
			for _, row := range res.Table.Rows {
				if len(row) != len(res.Table.Columns) {
					t.Fatalf("row width %d for %d columns", len(row), len(res.Table.Columns))
				}
			}
		}
	})
}
