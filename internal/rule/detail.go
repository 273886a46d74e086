package rule

import (
	"fmt"
	"strconv"
	"strings"
)

// An Env takes memory for the details it formats a chunk at a time, the first small (one task definition's
// results need about 2 KB) and each next one twice as large, up to maxDetailChunk.
const (
	minDetailChunk = 2 << 10
	maxDetailChunk = 8 << 10
)

// Detailf formats a result's detail as fmt.Sprintf does, for string arguments and the verbs %s and %q (anything
// else is handed to fmt.Sprintf). Every result of every rule gets a detail, passing ones included: fmt's boxing and
// reflection were a fifth of the time a task definition's evaluation took, and then each detail was an allocation
// of its own. So the details an Env formats share its chunks of memory (a string never changes, so sharing is
// safe); a nil Env gives each one its own.
func (env *Env) Detailf(format string, args ...string) string {
	var buf [256]byte
	b, ok := appendf(buf[:0], format, args)
	if !ok {
		return sprintf(format, args)
	}
	return env.text(b)
}

// Sprintf is Detailf for a piece of a detail, which goes into a detail of its own: its string is a new one.
func Sprintf(format string, args ...string) string {
	var buf [256]byte
	b, ok := appendf(buf[:0], format, args)
	if !ok {
		return sprintf(format, args)
	}
	return string(b)
}

// appendf appends format with args to b, or says it cannot: a verb other than %s, %q and %%, or a count of args
// that does not match.
func appendf(b []byte, format string, args []string) ([]byte, bool) {
	n := 0
	for i := 0; i < len(format); i++ {
		j := strings.IndexByte(format[i:], '%')
		if j < 0 {
			b = append(b, format[i:]...)
			break
		}
		b = append(b, format[i:i+j]...)
		i += j + 1
		if i == len(format) {
			return b, false
		}
		switch format[i] {
		case '%':
			b = append(b, '%')
			continue
		case 's':
			if n == len(args) {
				return b, false
			}
			b = append(b, args[n]...)
		case 'q':
			if n == len(args) {
				return b, false
			}
			b = appendQuote(b, args[n])
		default:
			return b, false
		}
		n++
	}
	return b, n == len(args)
}

// text returns b as a string in the Env's current chunk of detail memory, taking a new chunk when it is full.
// Bytes written to a strings.Builder stay where they are; the chunk is only ever appended to.
func (env *Env) text(b []byte) string {
	if env == nil || len(b) > minDetailChunk/4 {
		return string(b)
	}
	if env.details.Cap()-env.details.Len() < len(b) {
		n := min(max(2*env.details.Cap(), minDetailChunk), maxDetailChunk)
		env.details = strings.Builder{}
		env.details.Grow(n)
	}
	start := env.details.Len()
	env.details.Write(b)
	return env.details.String()[start:]
}

// appendQuote appends s quoted as strconv.AppendQuote does; most names are printable ASCII without quotes or
// backslashes, which it leaves as they are, and checking for that is cheaper than its rune-by-rune escaping.
func appendQuote(b []byte, s string) []byte {
	if needsEscape(s) {
		return strconv.AppendQuote(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// needsEscape reports whether s holds a byte that strconv.Quote writes otherwise: one below the space, DEL and
// above, a quote or a backslash. It reads eight bytes at a time.
func needsEscape(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	// hasZero reports whether a byte of v is zero; below whether one is less than 0x20. Both are exact (a borrow
	// only leaves a byte that is flagged already).
	hasZero := func(v uint64) bool { return (v-ones)&^v&highs != 0 }
	for len(s) >= 8 {
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		below := (w-0x20*ones)&^w&highs != 0
		if below || w&highs != 0 || hasZero(w^0x7f*ones) || hasZero(w^'"'*ones) || hasZero(w^'\\'*ones) {
			return true
		}
		s = s[8:]
	}
	for i := range len(s) {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return true
		}
	}
	return false
}

// sprintf is fmt.Sprintf over string arguments: what Detailf does with a format it does not handle itself.
func sprintf(format string, args []string) string {
	as := make([]any, len(args))
	for i, a := range args {
		as[i] = a
	}
	return fmt.Sprintf(format, as...)
}
