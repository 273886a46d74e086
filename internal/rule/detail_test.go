package rule

import (
	"fmt"
	"strconv"
	"testing"
)

// TestDetailfMatchesSprintf holds Detailf and Sprintf to fmt.Sprintf, including the formats it hands over to it.
func TestDetailfMatchesSprintf(t *testing.T) {
	tests := []struct {
		format string
		args   []string
	}{
		{"container %q sets privileged: true", []string{"app"}},
		{"container %q pins image %s by tag %q", []string{"a \"b\"\n", "nginx:1.25", "1.25"}},
		{"%q (%s)", []string{"\xff\u00e9\t", "x"}},
		{"100%% of %s", []string{"it"}},
		{"no verbs", nil},
		{"", nil},
		{"missing %s and %q", []string{"one"}},
		{"extra %s", []string{"one", "two"}},
		{"other verb %d", []string{"7"}},
		{"width %5s", []string{"x"}},
		{"trailing %", nil},
		{"long %s", []string{string(make([]byte, 300))}},
	}
	// One Env for all of them, many times over: the details it formats share its memory, and each must stay what
	// it was while later ones are formatted.
	env := &Env{}
	var earlier, wants []string
	for range 100 {
		for _, tt := range tests {
			earlier = append(earlier, env.Detailf(tt.format, tt.args...))
		}
	}
	for _, tt := range tests {
		as := make([]any, len(tt.args))
		for i, a := range tt.args {
			as[i] = a
		}
		want := fmt.Sprintf(tt.format, as...)
		if got := Sprintf(tt.format, tt.args...); got != want {
			t.Errorf("Sprintf(%q, %q) = %q, want %q", tt.format, tt.args, got, want)
		}
		var none *Env
		if got := none.Detailf(tt.format, tt.args...); got != want {
			t.Errorf("nil Env: Detailf(%q, %q) = %q, want %q", tt.format, tt.args, got, want)
		}
		if got := env.Detailf(tt.format, tt.args...); got != want {
			t.Errorf("Detailf(%q, %q) = %q, want %q", tt.format, tt.args, got, want)
		}
		wants = append(wants, want)
	}
	for i, d := range earlier {
		if want := wants[i%len(wants)]; d != want {
			t.Fatalf("a detail changed after later ones were formatted: %q, want %q", d, want)
		}
	}
}

func TestAppendQuote(t *testing.T) {
	inputs := []string{"", "app", "a b", `a"b`, `a\b`, "tab\t", "\x7f", "\x00", "é", "\xff", "~", " "}
	for c := range 256 {
		inputs = append(inputs, "x"+string(rune(c))+"y", "x"+string([]byte{byte(c)})+"y")
		// Every byte at every place of a string long enough to be read eight bytes at a time.
		for at := range 17 {
			long := []byte("abcdefghijklmnopq")
			long[at] = byte(c)
			inputs = append(inputs, string(long))
		}
	}
	for _, s := range inputs {
		if got, want := string(appendQuote([]byte("p:"), s)), "p:"+strconv.Quote(s); got != want {
			t.Errorf("appendQuote(%q) = %s, want %s", s, got, want)
		}
	}
}
