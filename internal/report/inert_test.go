package report

import "testing"

func TestInert(t *testing.T) {
	for in, want := range map[string]string{
		"web":                     "web",
		"caf\u00e9":               "caf\u00e9",
		"a\x1b[31mred":            `a\x1b[31mred`,
		"line\rover":              `line\rover`,
		"evil\u202etxt.exe":       `evil\u202etxt.exe`,
		"\u2066iso\u2069":         `\u2066iso\u2069`,
		"bad\xffbyte":             `bad\xffbyte`,
		"c1\u009bcsi":             `c1\u009bcsi`,
		"tab\there and newline\n": `tab\there and newline\n`,
	} {
		if got := inert(in); got != want {
			t.Errorf("inert(%q) = %q, want %q", in, got, want)
		}
	}
}
