package psdeob

import (
	"strings"
	"sync"
)

// gTLDs commonly seen in malware infrastructure and general use. Two-letter
// country-code TLDs are accepted by shape. The reserved names of RFC 2606 and
// RFC 6761 (example, test, invalid) and common private suffixes (local,
// internal, corp, lan) are accepted too: lab replays, training data and
// intranet staging servers use them, and a host under them is still a fact
// an analyst hunts for. Built on first use (issue 16).
var gtlds = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, t := range strings.Fields(`com net org info biz edu gov mil int arpa name pro mobi asia tel travel jobs cat coop aero museum
	xyz top site online club shop store app dev io ai co me tv cc ws su onion icu vip work live life link click fun space website tech
	host press pw win bid loan date racket review party trade science stream download racing webcam cricket faith accountant
	men gdn kim ninja rocks world today email cloud digital network solutions services systems company agency center media news
	blog art design studio global group city zone one best buzz guru ltd llc inc plus run page team tools monster rest bar
	cyou sbs cfd bond quest lat autos boats homes motorcycles beauty hair skin yachts makeup lol mom pics ink wiki red blue
	pink black green gold game games casino bet poker money cash finance financial capital credit bank insure law legal
	health care clinic dental doctor hospital fitness yoga school academy education university college training courses
	photo photos gallery camera video film movie music band audio radio fm am show events tickets tours holiday vacations
	hotel hotels restaurant cafe pizza menu kitchen wine beer vodka organic farm garden house land estate properties realty
	rentals apartments parts auto car cars bike taxi limo flights cruises airforce army navy gov us eu uk de ru cn jp fr
	support help community social chat forum reviews report host hosting server domains directory exchange market markets
	trading investments fund partners ventures holdings industries enterprises international foundation charity church
	family kids baby pet pets dog vet fish fishing surf golf tennis football soccer hockey basketball baseball rugby run
	fit diet coffee tea bio eco energy solar green earth watch jewelry diamonds fashion clothing shoes boutique style
	lgbt gay porn xxx sex adult sexy dating love wedding singles ooo moe nagoya tokyo berlin london paris nyc miami vegas
	ovh google microsoft amazon apple windows office azure aws cloudflare gle goog youtube
	example test invalid local internal corp lan`) {
		m[t] = true
	}
	return m
})

func knownTLD(t string) bool {
	t = strings.ToLower(t)
	if len(t) == 2 && t[0] >= 'a' && t[0] <= 'z' && t[1] >= 'a' && t[1] <= 'z' {
		return true
	}
	if strings.HasPrefix(t, "xn--") {
		return true
	}
	return gtlds()[t]
}
