package rule

import "strings"

// NormalizeCapability compares capability names the way the catalog says: any case, with or without "CAP_".
func NormalizeCapability(c string) string {
	c = strings.ToUpper(strings.TrimSpace(c))
	return strings.TrimPrefix(c, "CAP_")
}

// Glob reports whether s matches pattern, where "*" matches any run of characters (slashes included)
// and "?" exactly one. Matching is case-sensitive.
func Glob(pattern, s string) bool {
	p, x := 0, 0
	star, mark := -1, 0
	for x < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, x
			p++
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[x]):
			p++
			x++
		case star >= 0:
			mark++
			p, x = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
