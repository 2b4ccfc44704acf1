// Command psscore measures internal/psdeob on the shared PowerShell corpus
// (../shared/ps-corpus relative to the repository root). It reads samples as
// text only; nothing is executed or fetched.
//
//	go run ./internal/psdeob/cmd/psscore            # summary per source
//	go run ./internal/psdeob/cmd/psscore -v         # plus misses and hallucinations
//	go run ./internal/psdeob/cmd/psscore -id pp-0b7 # dump one sample's analysis
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/psdeob"
	"github.com/secmcp/secmcp/internal/psdeob/scoring"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "psscore:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("psscore", flag.ContinueOnError)
	corpus := fs.String("corpus", "", "corpus directory (default: <repo>/../shared/ps-corpus)")
	verbose := fs.Bool("v", false, "print misses and hallucinations")
	id := fs.String("id", "", "dump the analysis of samples whose id has this prefix")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *corpus == "" {
		root, err := repoRoot()
		if err != nil {
			return err
		}
		*corpus = filepath.Join(root, "..", "shared", "ps-corpus")
	}
	samples, err := scoring.LoadManifest(*corpus)
	if err != nil {
		return err
	}
	if *id != "" {
		return dump(samples, *id, out)
	}
	rep := scoring.Run(context.Background(), samples, func(ctx context.Context, s string) (*psdeob.Analysis, error) {
		return psdeob.Analyze(ctx, s, psdeob.Options{Timeout: 20 * time.Second})
	})
	rep.Print(out, *verbose)
	return nil
}

func dump(samples []scoring.Sample, prefix string, out io.Writer) error {
	for _, s := range samples {
		if !strings.HasPrefix(s.ID, prefix) {
			continue
		}
		a, err := psdeob.Analyze(context.Background(), s.Script, psdeob.Options{MaxLayerBytes: 3000})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "=== %s expected=%v\n", s.ID, s.Expected)
		for _, l := range a.Layers {
			fmt.Fprintf(out, "--- layer %d (parent %d line %d): %s\n%s\n", l.Index, l.Parent, l.ParentLine, l.Method, l.Text)
		}
		sort.Slice(a.Indicators, func(i, j int) bool { return a.Indicators[i].Type < a.Indicators[j].Type })
		b, _ := json.MarshalIndent(struct {
			I []psdeob.Indicator
			T []psdeob.Technique
			O []string
			V string
			R []string
			E string
		}{a.Indicators, a.Techniques, a.Obfuscation, a.Verdict, a.Reasons, a.Explanation}, "", " ")
		fmt.Fprintln(out, string(b))
	}
	return nil
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repo root: go.mod not found")
		}
		dir = parent
	}
}
