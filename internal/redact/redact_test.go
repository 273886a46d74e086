package redact

import (
	"strings"
	"testing"
)

const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.c2lnbmF0dXJlLXBsYW50ZWQtMTIzNDU2"

func TestField(t *testing.T) {
	for in, want := range map[string]string{
		"redis://:password@host":  "<redacted: looks like a password URL>",
		"AKIAIOSFODNN7EXAMPLE":    "<redacted: looks like an AWS access key ID>",
		"TOKEN " + jwt:            "<redacted: looks like a signed JWT>",
		"DATABASE_URL":            "DATABASE_URL",
		"http://host:8080/a@b":    "http://host:8080/a@b",
		"eyJhbGciOiJIUzI1NiJ9.x.": "eyJhbGciOiJIUzI1NiJ9.x.",
	} {
		if got := Field(in); got != want {
			t.Errorf("Field(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPair(t *testing.T) {
	cases := []struct{ k, v, wantK, wantV string }{
		{"db-password", "hunter2-planted", "db-password", credentialMarker},
		{"team", "payments", "team", "payments"},
		{"db-password", "true", "db-password", "true"},
		{"url", "postgres://u:pw@db/x", "url", "<redacted: looks like a password URL>"},
		{"redis://:pw@cache", "x", "<redacted: looks like a password URL>", "x"},
	}
	for _, c := range cases {
		k, v := Pair(c.k, c.v)
		if k != c.wantK || v != c.wantV {
			t.Errorf("Pair(%q, %q) = %q, %q; want %q, %q", c.k, c.v, k, v, c.wantK, c.wantV)
		}
	}
}

func TestText(t *testing.T) {
	in := `container "web" passes 2 credential(s): "redis://:s3cret@cache:6379/0" (known); "X` + jwt + `" (format)`
	got := Text(in)
	for _, leak := range []string{"s3cret", "cache:6379", jwt[:20], jwt[len(jwt)-10:]} {
		if strings.Contains(got, leak) {
			t.Errorf("Text left %q in %q", leak, got)
		}
	}
	if !strings.Contains(got, `container "web" passes 2`) || !strings.Contains(got, "<redacted: looks like a password URL>") {
		t.Errorf("Text(%q) = %q", in, got)
	}
	if plain := "nothing to see"; Text(plain) != plain {
		t.Error("Text changed plain text")
	}
}
