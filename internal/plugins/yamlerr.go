package plugins

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/secmcp/secmcp/internal/lazyre"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// checkEncoding refuses content that is not text: NUL bytes (a binary file
// named .yaml) or bytes that are not UTF-8. UTF-16 with a byte-order mark
// is left to the YAML reader, which decodes it. The error reads
// "LINE: reason".
func checkEncoding(data []byte) error {
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		return nil
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return fmt.Errorf("%d: the file holds a NUL byte: it is a binary file, not a YAML or JSON manifest", lineAt(data, i))
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return fmt.Errorf("%d: byte 0x%02x at offset %d is not UTF-8: save the manifest as UTF-8", lineAt(data, i), data[i], i)
	}
	return nil
}

func lineAt(data []byte, off int) int { return bytes.Count(data[:off], []byte("\n")) + 1 }

var (
	yamlLineRE = lazyre.New(`^line (\d+): (.*)$`)
	typeErrRE  = lazyre.New("^cannot unmarshal (!!\\w+)(?: `(.*)`)? into (.+)$")
)

// yamlError turns the YAML reader's error into a reason with the Go types
// it names said in the manifest's words, and the line of its first error
// (0 when it names none).
func yamlError(err error) (int, string) {
	var te *yaml.TypeError
	var msgs []string
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	first, out := 0, make([]string, 0, len(msgs))
	for _, m := range msgs {
		m = strings.TrimSpace(m)
		line := 0
		if g := yamlLineRE.FindStringSubmatch(m); g != nil {
			line, _ = strconv.Atoi(g[1])
			m = g[2]
		}
		if g := typeErrRE.FindStringSubmatch(m); g != nil {
			m = "expected " + goTypeWords(g[3]) + ", found " + yamlTagWords(g[1], g[2])
		}
		if strings.Contains(m, "already defined") {
			m += " (keys are matched without regard to case)"
		}
		if first == 0 {
			first = line
		} else if line > 0 {
			m = "line " + strconv.Itoa(line) + ": " + m
		}
		out = append(out, m)
		if len(out) == 5 && len(msgs) > 5 {
			out = append(out, fmt.Sprintf("and %d more", len(msgs)-5))
			break
		}
	}
	return first, strings.Join(out, "; ")
}

// goTypeWords names a field's Go type as what the manifest must hold.
func goTypeWords(t string) string {
	switch t {
	case "string":
		return "a text value"
	case "bool":
		return "true or false"
	case "[]string":
		return "a list of text values"
	case "map[string]interface {}":
		return "a mapping of names to values"
	}
	name := strings.TrimPrefix(strings.TrimPrefix(t, "*"), "plugins.")
	if elem, ok := strings.CutPrefix(name, "[]plugins."); ok {
		return "a list of " + elem + "s"
	}
	return "a mapping (the " + name + "'s keys and values)"
}

// yamlTagWords names what the manifest holds where another type was due.
func yamlTagWords(tag, value string) string {
	words := map[string]string{"!!int": "a number", "!!float": "a number", "!!bool": "true/false", "!!str": "text",
		"!!seq": "a list", "!!map": "a mapping", "!!null": "nothing", "!!timestamp": "a date", "!!binary": "binary data"}
	w, ok := words[tag]
	if !ok {
		w = tag
	}
	if value != "" {
		w += " (" + value + ")"
	}
	return w
}
