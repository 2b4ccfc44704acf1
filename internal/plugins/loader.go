package plugins

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/secmcp/secmcp/tools"
)

// ManifestReport is what became of one manifest file.
type ManifestReport struct {
	Path   string `json:"path"`
	Plugin string `json:"plugin,omitempty"`
	// Error is why the whole file was refused ("" when it was read).
	Error  string        `json:"error,omitempty"`
	Skills []SkillReport `json:"skills"`
}

// Count returns how many skills have the status.
func (m ManifestReport) Count(status string) int {
	n := 0
	for _, s := range m.Skills {
		if s.Status == status {
			n++
		}
	}
	return n
}

// Result is the outcome of loading plugin folders.
type Result struct {
	Manifests []ManifestReport
	// Specs are the tools of every loaded skill.
	Specs []tools.Spec
	// CustomTables maps each table or function the loaded KQL skills read
	// that the built-in schema does not know to the tools reading it.
	CustomTables map[string][]string
	// Skills are the loaded KQL skills, in tool order of loading.
	Skills []*KQLSkill
}

// Refused counts refused skills and refused manifests.
func (r *Result) Refused() int {
	n := 0
	for _, m := range r.Manifests {
		n += m.Count(Refused)
		if m.Error != "" {
			n++
		}
	}
	return n
}

// IsManifest reports whether a file name is a manifest's (.yaml, .yml, .json).
func IsManifest(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// LoadDirs loads every manifest directly in each folder (not in
// subfolders, where OpenAPI documents usually sit). A folder that cannot be
// read is an error; a manifest or skill that cannot be loaded is reported
// and the others still load.
func LoadDirs(env *Env, dirs ...string) (*Result, error) {
	var files []string
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			return nil, fmt.Errorf("plugins: %w", err)
		}
		for _, e := range entries {
			if !e.IsDir() && IsManifest(e.Name()) {
				files = append(files, filepath.Join(d, e.Name()))
			}
		}
	}
	sort.Strings(files)
	res := &Result{CustomTables: map[string][]string{}}
	owner := map[string]string{} // tool name → manifest:line of the skill that has it
	// Manifests load in parallel (parsing and checking templates is CPU
	// work); the results are merged in file order, so collisions are
	// decided the same way every time.
	reps := make([]ManifestReport, len(files))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			reps[i] = loadFile(env, f)
		}()
	}
	wg.Wait()
	for i, f := range files {
		rep := reps[i]
		for i := range rep.Skills {
			s := &rep.Skills[i]
			if s.Status != Loaded {
				continue
			}
			if prev, taken := owner[s.Tool]; taken {
				s.Status, s.Reason = Refused, fmt.Sprintf("tool name %s is already taken by the skill at %s; rename the skill or the plugin", s.Tool, prev)
				continue
			}
			owner[s.Tool] = fmt.Sprintf("%s:%d", f, s.Line)
			res.Specs = append(res.Specs, *s.Spec)
			if s.KQL != nil {
				res.Skills = append(res.Skills, s.KQL)
			}
			for _, t := range s.CustomTables {
				res.CustomTables[t] = append(res.CustomTables[t], s.Tool)
			}
		}
		res.Manifests = append(res.Manifests, rep)
	}
	return res, nil
}

// loadFile loads one manifest of a plugins folder. A panic while loading
// it (a bug secmcp's tests missed, met on hostile input) refuses this
// manifest only: the others, and the server, still start.
func loadFile(env *Env, path string) (rep ManifestReport) {
	defer func() {
		if r := recover(); r != nil {
			rep = ManifestReport{Path: path, Skills: []SkillReport{},
				Error: fmt.Sprintf("secmcp failed on this manifest (a bug: please report it with the file): %v", r)}
		}
	}()
	data, err := readManifest(path)
	if err != nil {
		return ManifestReport{Path: path, Skills: []SkillReport{}, Error: err.Error()}
	}
	return loadBytes(env, path, data)
}

// loadBytes loads one manifest's content.
func loadBytes(env *Env, path string, data []byte) ManifestReport {
	rep := ManifestReport{Path: path, Skills: []SkillReport{}}
	m, err := Parse(path, data)
	if err != nil {
		msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), path), ": ")
		if rest, ok := strings.CutPrefix(msg, ":"); ok {
			msg = "line " + rest // "path:12: reason" → "line 12: reason"
		}
		rep.Error = msg
		return rep
	}
	rep.Plugin = m.Descriptor.Name
	if Normalize(m.Descriptor.Name) == "" {
		rep.Error = fmt.Sprintf("line %d: Descriptor.Name %q has no letter or digit to name tools with", m.Descriptor.Line, tools.SanitizeText(m.Descriptor.Name))
		return rep
	}
	if n := m.skillCount(); n > MaxSkills {
		rep.Error = fmt.Sprintf("line %d: the manifest has %d skills; a manifest may hold at most %d: split it into several plugins", m.Descriptor.Line, n, MaxSkills)
		return rep
	}
	for i := range m.SkillGroups {
		g := &m.SkillGroups[i]
		if b, ok := Builders[strings.ToUpper(strings.TrimSpace(g.Format))]; ok {
			rep.Skills = append(rep.Skills, b.BuildGroup(env, m, g)...)
		} else {
			rep.Skills = append(rep.Skills, skipGroup(g)...)
		}
	}
	return rep
}

// Write prints the report: per manifest, the skills loaded, skipped and
// refused with reasons, then the totals.
func (r *Result) Write(w io.Writer) {
	var loaded, skipped, refused int
	for _, m := range r.Manifests {
		if m.Error != "" {
			fmt.Fprintf(w, "%s: REFUSED: %s\n", m.Path, tools.SanitizeText(m.Error))
			continue
		}
		fmt.Fprintf(w, "%s: plugin %s: %d loaded, %d skipped, %d refused\n", m.Path, cleanDescription(m.Plugin), m.Count(Loaded), m.Count(Skipped), m.Count(Refused))
		for _, s := range m.Skills {
			line := fmt.Sprintf("  %-8s %s:%d %s", s.Status, filepath.Base(m.Path), s.Line, cleanDescription(s.Skill))
			if s.Tool != "" {
				line += " -> " + s.Tool
			}
			if s.Reason != "" {
				line += ": " + tools.SanitizeText(s.Reason)
			}
			fmt.Fprintln(w, line)
			for _, warn := range s.Warnings {
				fmt.Fprintf(w, "           warning: %s\n", warn)
			}
		}
		loaded, skipped, refused = loaded+m.Count(Loaded), skipped+m.Count(Skipped), refused+m.Count(Refused)
	}
	fmt.Fprintf(w, "%d manifests: %d skills loaded, %d skipped, %d refused", len(r.Manifests), loaded, skipped, refused)
	if n := r.Refused() - refused; n > 0 {
		fmt.Fprintf(w, "; %d manifests refused", n)
	}
	fmt.Fprintln(w)
}

func parseFile(path string) (*Manifest, error) {
	data, err := readManifest(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return Parse(path, data)
}
