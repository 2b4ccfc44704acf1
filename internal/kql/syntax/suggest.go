package syntax

import "strings"

// Closest returns the candidate most similar to name (case-insensitive
// edit distance), or "" when none is close enough to be a plausible typo.
func Closest(name string, candidates []string) string {
	return closest(name, candidates)
}

func closest(name string, candidates []string) string {
	if name == "" || len(name) > 128 {
		return ""
	}
	lname := strings.ToLower(name)
	best, bestD := "", -1
	for _, c := range candidates {
		if len(c) > 128 {
			continue
		}
		lc := strings.ToLower(c)
		if lc == lname {
			return c
		}
		d := editDistance(lname, lc)
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	limit := 1 + len(name)/4
	if limit > 3 {
		limit = 3
	}
	if bestD < 0 || bestD > limit {
		return ""
	}
	return best
}

// editDistance is the Damerau-Levenshtein (optimal string alignment) distance.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
