// Package redact keeps credentials out of everything the auditor sends, stores, logs and prints. Free text copied
// out of a resource (variable and secret names, tag keys and values, log options, policy texts, finding details)
// passes through the credential detectors of task.secrets-in-environment and is replaced by a marker when it
// matches, so that a finding or a resource description names the field, never the value.
package redact

import (
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/rules/taskdef"
)

// Marker is the text that replaces a credential that looks like what ("a URL with an embedded password").
func Marker(what string) string {
	if what == "a URL with an embedded password" {
		what = "a password URL"
	}
	return "<redacted: looks like " + what + ">"
}

// credentialMarker replaces the value of a pair whose name says it is a credential.
const credentialMarker = "<redacted: looks like a credential>"

// Field returns s, or a marker in its place when s holds a credential anywhere: for a field copied whole, such
// as a variable name or a policy text.
func Field(s string) string {
	if what := taskdef.CredentialFormat(s); what != "" {
		return Marker(what)
	}
	return s
}

// Pair returns a name and its value, such as a tag's key and value, each replaced by a marker when it holds a
// credential: the name by its format, the value also when the name says it is one (db-password=...).
func Pair(name, value string) (string, string) {
	n, v := Field(name), Field(value)
	if v == value && value != "" && taskdef.CredentialPair(name, value) {
		v = credentialMarker
	}
	return n, v
}

// Text returns s with every credential in it replaced by a marker: for text composed of names and fixed phrases,
// such as a finding's detail. A match is widened to the whole token around it (up to a space, quote, comma,
// semicolon or bracket), so that no part of the credential stays.
func Text(s string) string {
	start, end, what := taskdef.CredentialFormatSpan(s)
	if start < 0 {
		return s
	}
	var b strings.Builder
	for start >= 0 {
		for start > 0 && !boundary(s[start-1]) {
			start--
		}
		for end < len(s) && !boundary(s[end]) {
			end++
		}
		b.WriteString(s[:start])
		b.WriteString(Marker(what))
		s = s[end:]
		start, end, what = taskdef.CredentialFormatSpan(s)
	}
	b.WriteString(s)
	return b.String()
}

func boundary(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '"', '\'', ',', ';', '(', ')', '[', ']', '{', '}', '<', '>', '`':
		return true
	}
	return false
}
