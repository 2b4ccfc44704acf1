package tools

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
)

// TestSanitizeRemovesEveryHiddenClass hides one character of each class
// inside an ASCII keyword: every one must come out, leaving the keyword.
func TestSanitizeRemovesEveryHiddenClass(t *testing.T) {
	hidden := map[string]rune{
		"bidi override RLO": 0x202E, "bidi isolate FSI": 0x2068, "LRM": 0x200E, "ALM": 0x061C,
		"zero width space": 0x200B, "ZWJ between ASCII": 0x200D, "ZWNJ between ASCII": 0x200C,
		"word joiner": 0x2060, "invisible times": 0x2062, "BOM": 0xFEFF, "soft hyphen": 0x00AD,
		"Mongolian vowel separator": 0x180E, "interlinear annotation": 0xFFF9,
		"tag LATIN SMALL A": 0xE0061, "tag cancel": 0xE007F, "language tag": 0xE0001,
		"variation selector 16": 0xFE0F, "variation selector 1": 0xFE00,
		"supplementary variation selector": 0xE0100, "last supplementary VS": 0xE01EF,
		"Mongolian FVS": 0x180B, "combining grapheme joiner": 0x034F,
		"Hangul choseong filler": 0x115F, "Hangul jungseong filler": 0x1160,
		"Hangul filler": 0x3164, "halfwidth Hangul filler": 0xFFA0, "Khmer inherent vowel": 0x17B4,
		"braille blank": 0x2800, "line separator": 0x2028, "paragraph separator": 0x2029,
		"BMP private use": 0xE000, "BMP private use end": 0xF8FF,
		"plane 15 private use": 0xF0000, "plane 16 private use": 0x10FFFD,
		"noncharacter FDD0": 0xFDD0, "noncharacter FFFE": 0xFFFE, "noncharacter 1FFFF": 0x1FFFF,
		"NEL": 0x85, "BEL": 0x07, "ESC": 0x1B, "DEL": 0x7F, "reserved ignorable": 0xE0FFF,
	}
	for name, r := range hidden {
		in := "power" + string(r) + "shell"
		if got := SanitizeText(in); got != "powershell" {
			t.Errorf("%s U+%04X: SanitizeText(%q) = %q, want powershell", name, r, in, got)
		}
		// and inside JSON, as a value and as a key
		doc, _ := json.Marshal(map[string]string{in: in})
		b, err := SanitizeJSON(doc)
		if err != nil || string(b) != `{"powershell":"powershell"}` {
			t.Errorf("%s U+%04X: SanitizeJSON = %s, %v", name, r, b, err)
		}
	}
}

// TestSanitizeCoversTheCategories checks the rule against Unicode's own
// tables: no Cf, Co, Zl, Zp or Variation_Selector character survives.
func TestSanitizeCoversTheCategories(t *testing.T) {
	for _, tab := range []*unicode.RangeTable{unicode.Cf, unicode.Co, unicode.Zl, unicode.Zp, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point} {
		n := 0
		for _, rg := range tab.R16 {
			for r := rune(rg.Lo); r <= rune(rg.Hi); r += rune(rg.Stride) {
				n += check(t, r)
			}
		}
		for _, rg := range tab.R32 {
			for r := rune(rg.Lo); r <= rune(rg.Hi); r += rune(rg.Stride) {
				n += check(t, r)
			}
		}
		if n > 0 {
			t.Errorf("%d characters of a hidden class survived", n)
		}
	}
}

func check(t *testing.T, r rune) int {
	if got := SanitizeText("a" + string(r) + "b"); got != "ab" {
		if len(got) < 10 {
			t.Errorf("U+%04X survived: %q", r, got)
		}
		return 1
	}
	return 0
}

// TestSanitizeKeepsLegitimateText keeps scripts, emoji sequences, the joiners
// they need, tabs and line breaks, and turns exotic spaces into spaces.
func TestSanitizeKeepsLegitimateText(t *testing.T) {
	for in, want := range map[string]string{
		"C:\\Users\\jane\\Desktop\\résumé.docx\r\n\tnext": "C:\\Users\\jane\\Desktop\\résumé.docx\r\n\tnext",
		"👩\u200d💻 developer":                              "👩\u200d💻 developer",
		"👨\u200d👩\u200d👧":                                 "👨\u200d👩\u200d👧",
		"🏳\ufe0f\u200d🌈":                                  "🏳\u200d🌈",      // VS16 goes, the sequence stays joined
		"می\u200cخواهم":                                   "می\u200cخواهم", // Persian needs ZWNJ
		"क्\u200dष":                                       "क्\u200dष",
		"😀\u200d\u200d\u200d😀":                            "😀\u200d😀", // one joiner of a run
		"\u200d😀":                                         "😀",
		"Привет, 世界 — ½ ≥ 3 ©":                            "Привет, 世界 — ½ ≥ 3 ©",
		"a\u00a0b\u2003c\u3000d\u202fe":                   "a b c d e",
		"bad \xff byte":                                   "bad \ufffd byte",
	} {
		if got := SanitizeText(in); got != want {
			t.Errorf("SanitizeText(%q) = %q, want %q", in, got, want)
		}
	}
	if s := "plain ASCII text, nothing to do"; SanitizeText(s) != s {
		t.Error("plain text changed")
	}
	if !strings.Contains(SanitizeText("x\u2028# Heading"), "x# Heading") {
		t.Error("line separator not removed")
	}
}
