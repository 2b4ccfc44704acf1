package plugins

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// aliasBomb is a "billion laughs" document: 9 levels of 9 aliases each.
func aliasBomb(where string) string {
	var b strings.Builder
	b.WriteString("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 9; i++ {
		p := fmt.Sprintf("*l%d", i-1)
		fmt.Fprintf(&b, "l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(p+", ", 9), ", "))
	}
	b.WriteString("Descriptor:\n  Name: bomb\n  Description: *l9\nSkillGroups:\n  - Format: KQL\n    Skills:\n      - Name: s\n        Description: d\n        Settings:\n          Target: Defender\n          " + where + ": *l9\n          Template: EmailEvents | take 1\n")
	return b.String()
}

func kqlManifest(plugin, skill, inputs, template string) string {
	return fmt.Sprintf("Descriptor:\n  Name: %s\nSkillGroups:\n  - Format: KQL\n    Skills:\n      - Name: %s\n        Description: d\n        Inputs:\n%s        Settings:\n          Target: Defender\n          Template: %s\n", plugin, skill, inputs, template)
}

// hostileManifests are manifests each of which must be refused (the whole
// file, or its skill) with a line and a reason that says what to fix.
var hostileManifests = map[string]struct{ body, want string }{
	"bomb.yaml":        {aliasBomb("Extra"), "excessive aliasing"},
	"deep.json":        {strings.Repeat("[", 20000) + strings.Repeat("]", 20000), "not YAML or JSON"},
	"deepmap.yaml":     {deepMapping(1000), "no Descriptor"},
	"binary.yaml":      {"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "line 3: the file holds a NUL byte"},
	"latin1.yaml":      {"Descriptor:\n  Name: caf\xe9\n", "line 2: byte 0xe9 at offset 23 is not UTF-8"},
	"types.yaml":       {"Descriptor:\n  Name: [1, 2]\nSkillGroups: 5\n", "line 2: expected a text value, found a list; line 3: expected a list of SkillGroups, found a number (5)"},
	"types2.yaml":      {kqlManifest("t2", "s", "          7\n", "T"), "expected a list of Inputs, found a number (7)"},
	"dupkeys.yaml":     {"Descriptor:\n  Name: a\n  name: b\n", `line 3: mapping key "name" already defined at line 2 (keys are matched without regard to case)`},
	"noname.yaml":      {"Descriptor:\n  Name: \"\\x01\\x02 ---\"\n", "line 2: Descriptor.Name \" ---\" has no letter or digit"},
	"toomany.yaml":     {manySkills(MaxSkills + 1), "the manifest has 201 skills; a manifest may hold at most 200"},
	"ph.yaml":          {kqlManifest("ph", "s", "          - Name: x\n", "EmailEvents | where "+strings.TrimSuffix(strings.Repeat("Subject == {{x}} or ", 1000), " or ")), "line 12: the template is too large: it has 1000 placeholders; the limit is 100"},
	"long.yaml":        {kqlManifest("long", "s", "", "EmailEvents | where Subject == '"+strings.Repeat("a", MaxTemplateBytes)+"'"), "line 11: the template is too large: it is 65569 bytes"},
	"unbalanced.yaml":  {kqlManifest("unb", "s", "          - Name: x\n", "EmailEvents | where Subject == '{{x}' | where a == {{{x}}}"), "line 12: the template does not parse"},
	"nested.yaml":      {kqlManifest("nst", "s", "          - Name: x\n", "\"EmailEvents | where Subject == {{ {{x}} }}\""), "line 12: the template does not parse"},
	"inputname.yaml":   {kqlManifest("inn", "s", "          - Name: \"x\\u0000y\"\n", "EmailEvents"), `input name "x\x00y" must be`},
	"bigdefault.yaml":  {kqlManifest("bdf", "s", "          - Name: x\n            DefaultValue: "+strings.Repeat("a", MaxValueBytes+1)+"\n", "EmailEvents"), "has a DefaultValue of 8193 bytes"},
	"notmanifest.yaml": {"just: text\n", "line 1: no Descriptor"},
	"emptyname.yaml":   {kqlManifest("emn", "'!!!'", "", "EmailEvents"), `line 6: the skill's Name "!!!" has no letter or digit to name its tool with`},
	"escape.yaml":      {kqlManifest("\"esc\\x1b[2J\"", "\"a\\x1b[31mred\"", "          - Name: \"x\\x1by\"\n", "EmailEvents"), `input name "x\x1by" must be`},
}

func deepMapping(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(strings.Repeat(" ", i) + "a:\n")
	}
	return b.String()
}

func manySkills(n int) string {
	var b strings.Builder
	b.WriteString("Descriptor:\n  Name: many\nSkillGroups:\n  - Format: KQL\n    Skills:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "      - Name: s%d\n        Description: d\n        Settings:\n          Target: Defender\n          Template: EmailEvents | take 1\n", i)
	}
	return b.String()
}

// TestHostileManifests loads each hostile manifest beside a good one: each
// is refused with its line and reason, in bounded time and memory, and the
// good manifest still loads.
func TestHostileManifests(t *testing.T) {
	// The largest template within bounds: MaxPlaceholders placeholders in
	// MaxTemplateBytes of a deep chain of conditions.
	pad := strings.Repeat("Subject == 'x' or ", (MaxTemplateBytes-2600)/18)
	widest := "EmailEvents | where " + pad + strings.TrimSuffix(strings.Repeat("Subject == {{x}} or ", MaxPlaceholders), " or ")
	files := map[string]string{"good.yaml": goodManifest, "widest.yaml": kqlManifest("widest", "s", "          - Name: x\n", widest),
		"huge.yaml": "Descriptor:\n  Name: huge\n  Description: " + strings.Repeat("A", MaxManifestBytes) + "\n"}
	for name, h := range hostileManifests {
		files[name] = h.body
	}
	dir := writeDir(t, files)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	alloc := ms.TotalAlloc
	start := time.Now()
	res, err := LoadDirs(&Env{}, dir)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&ms)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range res.Manifests {
		msg := m.Error
		for _, s := range m.Skills {
			if s.Status == Refused {
				msg += fmt.Sprintf("line %d: %s", s.Line, s.Reason)
			}
		}
		got[filepath.Base(m.Path)] = msg
	}
	for name, h := range hostileManifests {
		if !strings.Contains(got[name], h.want) {
			t.Errorf("%s: %.300q, want it to contain %q", name, got[name], h.want)
		}
	}
	if !strings.Contains(got["huge.yaml"], "the limit is 1048576 bytes (1 MiB)") {
		t.Errorf("huge.yaml: %q", got["huge.yaml"])
	}
	var report bytes.Buffer
	res.Write(&report)
	if i := strings.IndexFunc(report.String(), func(r rune) bool { return r < 0x20 && r != '\n' }); i >= 0 {
		t.Errorf("the validate report carries a control character from a manifest: %q", report.String()[max(0, i-40):i+10])
	}
	if len(res.Specs) != 3 {
		t.Errorf("%d tools loaded, want the good manifest's 2", len(res.Specs))
	}
	// Unbounded work showed as seconds and gigabytes (5,000 placeholders
	// took 5.4 s and 4.4 GB before MaxPlaceholders); the bounded load is
	// well under these limits even on a loaded machine.
	if mb := (ms.TotalAlloc - alloc) >> 20; mb > 400 || elapsed > 20*time.Second {
		t.Errorf("hostile manifests took %v and %d MB", elapsed, mb)
	}
	t.Logf("%d hostile manifests refused in %v, %d MB allocated", len(hostileManifests)+1, elapsed, (ms.TotalAlloc-alloc)>>20)
}

// TestManifestFilesRefused: a named pipe, a folder, and symbolic links
// leading out of the plugins folder are refused without blocking; a link
// inside the folder is followed.
func TestManifestFilesRefused(t *testing.T) {
	dir := writeDir(t, map[string]string{"good.yaml": goodManifest})
	outside := writeDir(t, map[string]string{"secret.yaml": goodManifest})
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yaml"), 0o600); err != nil {
		t.Skip("no named pipes here: ", err)
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Mkdir(filepath.Join(dir, "folder.yaml"), 0o700))
	must(os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(dir, "out.yaml")))
	must(os.Symlink("../"+filepath.Base(outside)+"/secret.yaml", filepath.Join(dir, "rel.yaml")))
	must(os.Symlink("good.yaml", filepath.Join(dir, "alias.yaml")))
	must(os.Symlink("/dev/zero", filepath.Join(dir, "zero.yaml")))
	must(os.Symlink("missing.yaml", filepath.Join(dir, "dangling.yaml")))
	done := make(chan *Result, 1)
	go func() {
		res, err := LoadDirs(&Env{}, dir)
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	var res *Result
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("loading blocked on a named pipe")
	}
	got := map[string]string{}
	for _, m := range res.Manifests {
		got[filepath.Base(m.Path)] = m.Error
	}
	want := map[string]string{"pipe.yaml": "not a regular file (a named pipe)", "out.yaml": "outside the plugins folder",
		"rel.yaml": "outside the plugins folder", "zero.yaml": "outside the plugins folder", "dangling.yaml": "cannot be followed",
		"alias.yaml": "", "good.yaml": ""}
	for name, w := range want {
		if e, ok := got[name]; !ok || w == "" && e != "" || !strings.Contains(e, w) {
			t.Errorf("%s: %q (listed %v), want %q", name, e, ok, w)
		}
	}
	if _, ok := got["folder.yaml"]; ok {
		t.Errorf("a folder named .yaml was read as a manifest: %q", got["folder.yaml"])
	}
}

// TestBindBoundsTheQuery: inputs that would make the query longer than the
// guard takes are refused before the query is parsed again.
func TestBindBoundsTheQuery(t *testing.T) {
	tpl, err := ParseTemplate("EmailEvents | where " + strings.TrimSuffix(strings.Repeat("Subject == '{{x}}' or ", 20), " or "))
	if err != nil {
		t.Fatal(err)
	}
	_, err = tpl.Bind(map[string]string{"x": strings.Repeat("a", MaxValueBytes)})
	if err == nil || !strings.Contains(err.Error(), "the query with these inputs is") {
		t.Errorf("20 × 8 KiB inputs: %v", err)
	}
}

type panicBuilder struct{}

func (panicBuilder) BuildGroup(*Env, *Manifest, *SkillGroup) []SkillReport { panic("boom") }

// TestLoaderSurvivesAPanic: a builder that panics on a manifest refuses
// that manifest; the others load.
func TestLoaderSurvivesAPanic(t *testing.T) {
	Builders["PANICS"] = panicBuilder{}
	defer delete(Builders, "PANICS")
	dir := writeDir(t, map[string]string{"good.yaml": goodManifest,
		"bad.yaml": "Descriptor:\n  Name: bad\nSkillGroups:\n  - Format: PANICS\n"})
	res, err := LoadDirs(&Env{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Specs) != 2 || !strings.Contains(res.Manifests[0].Error, "secmcp failed on this manifest (a bug") {
		t.Errorf("specs %d; bad.yaml: %q", len(res.Specs), res.Manifests[0].Error)
	}
}
