package report

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// inert returns s safe to print on a terminal or in a CI log: control characters (C0, DEL, C1, so ANSI escapes and
// carriage returns), bidirectional formatting characters (U+202E and kin, which reorder what a reader sees) and
// invalid UTF-8 are written as Go escapes (\x1b, \r, \u202e). Text without them is returned as it is.
func inert(s string) string {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if hostile(r, n) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if hostile(r, n) {
			q := strconv.QuoteToASCII(s[i : i+n])
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// hostile reports whether rune r, n bytes long, changes how the text around it is shown.
func hostile(r rune, n int) bool {
	switch {
	case r == utf8.RuneError && n == 1:
		return true
	case r < 0x20, r >= 0x7f && r < 0xa0:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
