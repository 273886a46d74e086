package taskdef

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// TestNameWordsASCII holds the byte-wise split of ASCII names to the rune-wise one.
func TestNameWordsASCII(t *testing.T) {
	names := []string{"", "DB_PASSWORD", "dbPassword", "APIKey", "PASSWORD2", "a.b-c_d", "__X__", "x9Y", "ABCdef",
		"aB", "Ab", "AB", "9a", "a9", "HTTPServer2Token", "my-API_KEYs", "z"}
	const alphabet = "aZbY09_-.$ "
	rng := rand.New(rand.NewSource(1))
	for range 20000 {
		b := make([]byte, rng.Intn(12))
		for i := range b {
			b[i] = alphabet[rng.Intn(len(alphabet))]
		}
		names = append(names, string(b))
	}
	for _, n := range names {
		if got, want := nameWords(n), nameWordsUnicode(n); !slices.Equal(got, want) {
			t.Fatalf("nameWords(%q) = %q, want %q", n, got, want)
		}
	}
}

// sensitiveWordReference is sensitiveWord as first written, with strings.Split and Join on every call.
func sensitiveWordReference(name string) string {
	words := nameWordsUnicode(name)
	for _, s := range sensitiveWords {
		parts := strings.Split(s, "_")
		joined := strings.Join(parts, "")
		for i := range words {
			if words[i] == joined || words[i] == joined+"s" {
				return s
			}
			if len(parts) > 1 && i+len(parts) <= len(words) {
				ok := true
				for k, p := range parts {
					w := words[i+k]
					if k == len(parts)-1 {
						ok = ok && (w == p || w == p+"s")
					} else if w != p {
						ok = false
					}
				}
				if ok {
					return s
				}
			}
		}
	}
	return ""
}

// TestSensitiveWordMatchesReference covers the matching of multi-word entries and plurals.
func TestSensitiveWordMatchesReference(t *testing.T) {
	names := []string{"PRIVATE_KEY", "PRIVATEKEY", "PRIVATE_KEYS", "API_KEY", "APIKeys", "APIKEY", "ACCESS_KEY",
		"ACCESSKEYS", "PRIVATE", "KEY", "DB_PASSWORDS", "BYPASS", "TOKENIZER", "GITHUB_TOKENS", "MY_CREDS",
		"ACCESS_KEY_ID", "ACCESS", "ACCESS_ID_KEY", "apiKey", "PRIVATE_KEY_S", "ACCESS__KEY"}
	words := []string{"PRIVATE", "KEY", "KEYS", "API", "ACCESS", "PASS", "TOKEN", "X", "SECRETS", "CREDS", "PWD", "ID"}
	rng := rand.New(rand.NewSource(2))
	for range 20000 {
		n := ""
		for k := rng.Intn(4); k >= 0; k-- {
			n += words[rng.Intn(len(words))] + []string{"_", "", "-"}[rng.Intn(3)]
		}
		names = append(names, n)
	}
	for _, n := range names {
		if got, want := sensitiveWord(n), sensitiveWordReference(n); got != want {
			t.Fatalf("sensitiveWord(%q) = %q, want %q", n, got, want)
		}
	}
	if sensitiveWord("API_KEY") != "api_key" || sensitiveWord("APIKEY") != "apikey" || sensitiveWord("BYPASS") != "" {
		t.Fatal("known answers changed")
	}
}

// TestCredentialFormatNeeds checks that each format's needed text is in every value its expression matches: the
// check may skip an expression only when it cannot match.
func TestCredentialFormatNeeds(t *testing.T) {
	values := []string{"AKIAIOSFODNN7EXAMPLE", "x ASIAABCDEFGHIJKLMNOP y", "-----BEGIN RSA PRIVATE KEY-----",
		"-----BEGIN OPENSSH PRIVATE KEY BLOCK-----", "ghp_" + strings.Repeat("a", 36), "github_pat_" + strings.Repeat("B", 30),
		"xoxb-1234567890-abc", "HTTPS://HOOKS.SLACK.COM/services/T000/B000/x", "sk_live_" + strings.Repeat("9", 24),
		"rk_live_" + strings.Repeat("z", 16), "postgres://user:pw@db:5432/x", "redis://:secret@cache", "plain", "",
		"https://Hooks.Slack.Com/workflows/T1/x", "https://hooks.\u017flack.com/services/T1/x", "x@y", "http://a/b@c"}
	for _, v := range values {
		for _, f := range credentialFormats {
			if f.re.MatchString(v) && !f.may(v) {
				t.Errorf("%s matches %q, which its test turns away", f.what, v)
			}
		}
	}
	if credentialFormat("AKIAIOSFODNN7EXAMPLE") != "an AWS access key ID" || credentialFormat("postgres://u:p@h") != "a URL with an embedded password" {
		t.Fatal("formats not recognised")
	}
}

// TestSensitiveStems checks that every sensitive word holds a stem in the first of its "_"-separated parts:
// sensitiveWord looks no further at a name without one.
func TestSensitiveStems(t *testing.T) {
	for _, s := range sensitiveWords {
		first, _, _ := strings.Cut(s, "_")
		found := false
		for _, stem := range sensitiveStems {
			found = found || strings.Contains(first, stem)
		}
		if !found {
			t.Errorf("sensitive word %q: its first part %q holds none of the stems %q", s, first, sensitiveStems)
		}
	}
	for _, n := range []string{"PORT", "NODE_ENV", "AWS_REGION", "LOG_LEVEL", "x"} {
		if mayBeSensitive(n) {
			t.Errorf("%s: may be sensitive", n)
		}
	}
	for _, n := range []string{"DB_PASSWORD", "dbPwd", "ApiKey", "MY_SECRET", "GITHUB_TOKEN", "CREDS", "ACCESS_KEY",
		"PRIVATE_KEY", "X_\u212aEY", strings.Repeat("A", 65)} {
		if !mayBeSensitive(n) {
			t.Errorf("%s: may not be sensitive", n)
		}
	}
}
