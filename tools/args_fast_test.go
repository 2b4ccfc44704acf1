package tools

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"testing"
)

type nestedParams struct {
	Name   string `json:"name"`
	Filter struct {
		Field string `json:"field"`
	} `json:"filter,omitempty"`
}

type pagedParams struct {
	Paging
	IDs  []string        `json:"ids,omitempty"`
	Opts map[string]int  `json:"opts,omitempty"`
	Raw  json.RawMessage `json:"raw,omitempty"`
	Ptr  *int            `json:"ptr,omitempty"`
}

// argsCorpus is arguments of every shape DecodeArgs distinguishes.
var argsCorpus = []string{
	`{"name":"ok","severity":"low","top":3}`, `{ "name" : "ok" , "top" : 3 }`, "\n{\"name\":\"a\"}\t",
	`{"name":"x","sevrity":"low"}`, `{"name":"x","top":"5"}`, `{"name":"x","severity":"mid"}`,
	`{"name":"x","top":11}`, `{"name":"123456789"}`, `{}`, `[1,2]`, `"s"`, `null`, ``, `{"name":1000,"top":3}`,
	`{"name":-1.5e3}`, `{"name":null}`, `{"name":true}`, `{"name":"a","name":"b"}`, `{"name":"123456789","name":"a"}`,
	`{"na\u006de":"x"}`, `{"Name":"x"}`, `{"name":"x","top":1.5}`, `{"name":"a\"b\\c \u003c"}`, `{"name":"x"} {}`,
	`{"name":"x",}`, `{"name":"x","top":[1,{"a":"}"}]}`, `{"name":{"a":[1,2,"]"]}}`, `{"top":0}`, `{"name":"é€😀"}`,
	`{"filter":{"field":"a"},"name":"x"}`, `{"filter":{"field":"a","extra":1},"name":"x"}`, `{"filter":{"Field":"a"},"name":"x"}`,
	`{"top":5,"cursor":"abc","ids":["a","b"],"opts":{"x":1},"raw":{"any":[true]},"ptr":7}`, `{"ids":[1,2]}`, `{"opts":{"x":"y"}}`,
	`{"ptr":null,"raw":null,"ids":null}`, `{"top":-1}`, `{"cursor":5}`, `{"tenant":"x"}`,
}

// TestDecodeArgsFastMatchesGeneral: the in-place path decides exactly as the
// general one (the same error, or the same decoded value) whenever it
// decides, for flat, embedded and nested params types.
func TestDecodeArgsFastMatchesGeneral(t *testing.T) {
	decided := 0
	for _, in := range argsCorpus {
		decided += compareDecoders[echoParams](t, in)
		decided += compareDecoders[nestedParams](t, in)
		decided += compareDecoders[pagedParams](t, in)
	}
	if decided < len(argsCorpus) {
		t.Errorf("the fast path decided only %d of %d cases", decided, 3*len(argsCorpus))
	}
}

func compareDecoders[P any](t *testing.T, in string) int {
	t.Helper()
	raw := json.RawMessage(in)
	if len(raw) == 0 {
		raw = json.RawMessage("{}")
	}
	spec := argSpecOf(reflect.TypeFor[P]())
	var fast, general P
	handled, errF := decodeArgsFast(raw, &fast, spec)
	if !handled {
		return 0
	}
	errG := decodeArgsGeneral(raw, &general, spec)
	// With more than one unknown or oversized argument, the general path
	// names whichever its map gives first, the fast path the first written.
	if fmt.Sprint(errF) != fmt.Sprint(errG) && !(eitherOf(errF) && eitherOf(errG)) {
		t.Errorf("%T %s: fast path says %v, general path %v", fast, in, errF, errG)
	}
	if errF == nil && !reflect.DeepEqual(fast, general) {
		t.Errorf("%T %s: fast path decoded %+v, general path %+v", fast, in, fast, general)
	}
	return 1
}

// FuzzDecodeArgsFastMatchesGeneral: go test -fuzz DecodeArgsFast ./tools/
func FuzzDecodeArgsFastMatchesGeneral(f *testing.F) {
	for _, in := range argsCorpus {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		compareDecoders[echoParams](t, in)
		compareDecoders[nestedParams](t, in)
		compareDecoders[pagedParams](t, in)
	})
}

func TestHasNestedStruct(t *testing.T) {
	for typ, want := range map[reflect.Type]bool{
		reflect.TypeFor[echoParams]():   false,
		reflect.TypeFor[pagedParams]():  false,
		reflect.TypeFor[nestedParams](): true,
		reflect.TypeFor[struct {
			L []struct{ A int } `json:"l"`
		}](): true,
	} {
		if got := hasNestedStruct(typ); got != want {
			t.Errorf("hasNestedStruct(%v) = %v, want %v", typ, got, want)
		}
	}
}

var keyRefusal = regexp.MustCompile(`^(unknown argument "|argument "[^"]*" is \d+ bytes; the limit)`)

func eitherOf(err error) bool { return err != nil && keyRefusal.MatchString(err.Error()) }
