package rule

import (
	"strings"
	"testing"
)

// referenceGlob is a second, independent Glob: dynamic programming over bytes, where m[j] says whether the pattern
// so far matches s[:j].
func referenceGlob(pattern, s string) bool {
	m := make([]bool, len(s)+1)
	m[0] = true
	for i := 0; i < len(pattern); i++ {
		next := make([]bool, len(s)+1)
		switch pattern[i] {
		case '*':
			seen := false
			for j := range m {
				seen = seen || m[j]
				next[j] = seen
			}
		default:
			for j := 1; j <= len(s); j++ {
				next[j] = m[j-1] && (pattern[i] == '?' || pattern[i] == s[j-1])
			}
		}
		m = next
	}
	return m[len(s)]
}

// FuzzGlob matches arbitrary patterns against arbitrary subjects. Patterns come from configuration files (suppressions,
// trusted registries), and subjects from the audited resources.
func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{
		{"*", ""}, {"", ""}, {"", "x"}, {"*", "anything/at:all"}, {"sha256-*", "sha256-abc.sig"},
		{"*.dkr.ecr.*.amazonaws.com", "111122223333.dkr.ecr.eu-west-1.amazonaws.com"},
		{"arn:aws:ecs:*:task-definition/web:*", "arn:aws:ecs:us-east-1:1:task-definition/web:7"}, {"a?c", "abc"},
		{"a?c", "ac"}, {"*a*a*a*a*a*a*b", strings.Repeat("a", 60)}, {"**?*", "x"}, {"?", "\u00e9"}, {"a*", "a*"},
		{"*?", ""}, {"exact", "exactly"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		got := Glob(pattern, s)
		if want := referenceGlob(pattern, s); got != want {
			t.Fatalf("Glob(%q, %q) = %v, reference %v", pattern, s, got, want)
		}
		// Every string matches itself ("*" and "?" each match their own character), and "*" matches everything.
		if !Glob(s, s) || !Glob(pattern, pattern) {
			t.Fatalf("a string does not match itself: %q or %q", s, pattern)
		}
		if !Glob("*", s) {
			t.Fatalf("Glob(\"*\", %q) is false", s)
		}
		if !strings.ContainsAny(pattern, "*?") && got != (pattern == s) {
			t.Fatalf("literal pattern %q against %q: %v", pattern, s, got)
		}
		if !strings.ContainsAny(pattern, "*?") && strings.Contains(s, pattern) && !Glob("*"+pattern+"*", s) {
			t.Fatalf("*%s* does not match %q, which contains it", pattern, s)
		}
	})
}
