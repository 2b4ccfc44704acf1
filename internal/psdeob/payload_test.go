package psdeob

import (
	"encoding/base64"
	"math/rand"
	"testing"
)

func TestPayloadC2Strings(t *testing.T) {
	sc := []byte{0xfc, 0xe8, 0x82, 0x00, 0x00, 0x00, 0x60, 0x89, 0xe5, 0x31, 0xc0, 0x64, 0x8b, 0x50, 0x30}
	sc = append(sc, "User-Agent: Mozilla/5.0 (compatible)\x00"...)
	sc = append(sc, 0x68, 0x3a, 0x56, 0x79, 0xa7, 0xff, 0xd5)
	sc = append(sc, "198.51.100.23\x00"...)
	sc = append(sc, 0x00, 0x8b)
	sc = append(sc, "version 10.0.0.1 build\x00"...)
	sc = append(sc, 0x90)
	sc = append(sc, "https://cdn.contoso.example/a/b\x00"...)
	src := "[Byte[]]$sc = [Convert]::FromBase64String('" + base64.StdEncoding.EncodeToString(sc) + "')\n$x = 1"
	a := analyze(t, src)
	if !hasIndicator(a, "ip", "198.51.100.23") || !hasIndicator(a, "url", "https://cdn.contoso.example/a/b") {
		t.Errorf("C2 strings not found: %+v", a.Indicators)
	}
	if hasIndicator(a, "ip", "10.0.0.1") {
		t.Error("IP inside a longer printable run was taken")
	}
	// Random bytes give nothing.
	r := rand.New(rand.NewSource(1))
	junk := make([]byte, 1<<16)
	r.Read(junk)
	a = analyze(t, "$b = [Convert]::FromBase64String('"+base64.StdEncoding.EncodeToString(junk)+"')")
	for _, i := range a.Indicators {
		if i.Computed {
			t.Errorf("indicator from random bytes: %+v", i)
		}
	}
}
