package taskdef

import "github.com/ecsaudit/ecsaudit/internal/rule"

// CredentialFormat returns what s looks like when it holds a value in a known credential format anywhere in it (an
// access key ID, a private key, a token, a signed JWT, a URL with a password), or "". It is the detector
// task.secrets-in-environment uses on values, for text that is copied out of a resource.
func CredentialFormat(s string) string {
	return credentialFormat(s)
}

// CredentialFormatSpan returns where in s the leftmost credential format matches and what it looks like, or -1.
func CredentialFormatSpan(s string) (start, end int, what string) {
	start, end = -1, -1
	for _, f := range credentialFormats {
		if !f.may(s) {
			continue
		}
		if loc := f.re.FindStringIndex(s); loc != nil && (start < 0 || loc[0] < start) {
			start, end, what = loc[0], loc[1], f.what
		}
	}
	return start, end, what
}

// CredentialPair reports whether a name and value, such as a tag or a log option, hold a credential by the
// signals task.secrets-in-environment uses for a variable with the default settings: a known credential name, a
// value in a credential format, or a sensitive word in the name with a value that is not plainly harmless.
func CredentialPair(name, value string) bool {
	_, ok := credentialSignal(name, value, rule.DefaultSettings().CredentialKeyNames)
	return ok
}
