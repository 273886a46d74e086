package taskdef

import "testing"

func TestSignedJWT(t *testing.T) {
	signed := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	if got := CredentialFormat(signed); got != "a signed JWT" {
		t.Errorf("CredentialFormat(signed JWT) = %q", got)
	}
	if got := CredentialFormat("Bearer " + signed); got != "a signed JWT" {
		t.Errorf("CredentialFormat(bearer JWT) = %q", got)
	}
	// An unsigned token (alg none) carries no signature to steal; it is not a credential format.
	if got := CredentialFormat("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0NTY3ODkwIn0."); got != "" {
		t.Errorf("CredentialFormat(unsigned JWT) = %q", got)
	}
	for _, f := range credentialFormats {
		if f.re.MatchString(signed) && !f.may(signed) {
			t.Errorf("%s matches a JWT its test turns away", f.what)
		}
	}
	r, ok := credentialSignal("SESSION", signed, nil)
	if !ok || r != "value has the format of a signed JWT" {
		t.Errorf("credentialSignal = %q, %v", r, ok)
	}
}

func TestCredentialPair(t *testing.T) {
	if !CredentialPair("db-password", "hunter2-planted") || CredentialPair("team", "payments") || !CredentialPair("AWS_SECRET_ACCESS_KEY", "x") {
		t.Error("CredentialPair misjudges a pair")
	}
	if s, e, what := CredentialFormatSpan("a redis://:pw@h b"); s != 2 || e <= s || what != "a URL with an embedded password" {
		t.Errorf("CredentialFormatSpan = %d, %d, %q", s, e, what)
	}
}
