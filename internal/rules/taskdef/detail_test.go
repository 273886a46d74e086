package taskdef

import (
	"fmt"
	"strconv"
	"testing"
)

// TestDetailfMatchesSprintf holds detailf to fmt.Sprintf, including the formats it hands over to it.
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
	for _, tt := range tests {
		as := make([]any, len(tt.args))
		for i, a := range tt.args {
			as[i] = a
		}
		if got, want := detailf(tt.format, tt.args...), fmt.Sprintf(tt.format, as...); got != want {
			t.Errorf("detailf(%q, %q) = %q, want %q", tt.format, tt.args, got, want)
		}
	}
}

func TestContainerPath(t *testing.T) {
	for i := range 12 {
		if got, want := containerPath(i), fmt.Sprintf("containerDefinitions/%d", i); got != want {
			t.Errorf("containerPath(%d) = %q, want %q", i, got, want)
		}
	}
	if got := containerPath(3, "linuxParameters", "devices", "0"); got != "containerDefinitions/3/linuxParameters/devices/0" {
		t.Errorf("containerPath with fields = %q", got)
	}
}

func TestAppendQuote(t *testing.T) {
	inputs := []string{"", "app", "a b", `a"b`, `a\b`, "tab\t", "\x7f", "\x00", "é", "\xff", "~", " "}
	for c := range 256 {
		inputs = append(inputs, "x"+string(rune(c))+"y", "x"+string([]byte{byte(c)})+"y")
	}
	for _, s := range inputs {
		if got, want := string(appendQuote([]byte("p:"), s)), "p:"+strconv.Quote(s); got != want {
			t.Errorf("appendQuote(%q) = %s, want %s", s, got, want)
		}
	}
}
