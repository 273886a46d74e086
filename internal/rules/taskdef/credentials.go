package taskdef

import (
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// CredentialSignal says why a name and value pair (an environment variable, a label, a line of a .env file) holds a
// credential, by the detectors of task.secrets-in-environment: a name among settings' credential key names, a value
// in a known credential format, or a sensitive word in the name with a value that is not plainly harmless. The text
// is built from the name and fixed phrases only, never from the value. The image-contents rules and the image file
// reader judge by the same detectors, so that one fix to them fixes every rule.
func CredentialSignal(name, value string, settings *rule.Settings) (string, bool) {
	if settings == nil {
		settings = rule.DefaultSettings()
	}
	keys := make([]string, 0, len(settings.CredentialKeyNames))
	for _, k := range settings.CredentialKeyNames {
		keys = append(keys, strings.ToUpper(strings.TrimSpace(k)))
	}
	return credentialSignal(name, value, keys)
}

// CredentialFormat names the credential format a text holds (an AWS access key ID, a private key, a GitHub
// token, ...), or returns "" when it holds none that the detectors know.
func CredentialFormat(text string) string { return credentialFormat(text) }

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

// CredentialPair reports whether a name and value, such as a tag or a log option, hold a credential by
// CredentialSignal with the default settings.
func CredentialPair(name, value string) bool {
	_, ok := CredentialSignal(name, value, nil)
	return ok
}
