package version

import "testing"

func TestRelease(t *testing.T) {
	for v, want := range map[string]bool{
		"v1.2.3":                             true,
		"v1.2.3-rc.1":                        true,
		"":                                   false,
		"(devel)":                            false,
		"v1.2.3+dirty":                       false,
		"v0.0.0-20261206041500-9f6fcaa1b2c3": false,
		"v1.2.4-0.20261206041500-9f6fcaa1b2c3+dirty": false,
	} {
		if got := release(v); got != want {
			t.Errorf("release(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestStringPrefersTheLinkedVersion(t *testing.T) {
	defer func(v string) { Version = v }(Version)
	Version = "v9.9.9"
	if got := String(); got != "v9.9.9" {
		t.Errorf("String() = %q", got)
	}
	Version = ""
	if got := String(); got == "" {
		t.Error("String() is empty without a linked version")
	}
}
