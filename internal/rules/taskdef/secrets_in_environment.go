package taskdef

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// SecretsInEnvironment fails a container that passes a credential in a plain-text environment variable. It
// judges by three signals: a known credential variable name, a value in a known credential format, or a
// sensitive word in the name with a value that is not plainly harmless. Findings name variables, never values.
var SecretsInEnvironment = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.secrets-in-environment",
		Title: "Container environment holds credentials in plain text",
		Description: "Environment values are stored in the task definition in plain text: anyone allowed " +
			"ecs:DescribeTaskDefinition can read them, and they are copied into consoles, CloudTrail, deployment " +
			"tooling and infrastructure code. A leaked credential there outlives every revision that held it.",
		Remediation: "Store the value in AWS Secrets Manager or as an SSM Parameter Store SecureString, move the " +
			"variable from \"environment\" to \"secrets\" with \"valueFrom\" set to the secret's or parameter's ARN, " +
			"let the task execution role read it, and rotate the credential that was exposed.",
		RemediationURL:    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html",
		Severity:          rule.High,
		Profile:           rule.Baseline,
		Level:             rule.ContainerLevel,
		SecurityControlID: "ECS.8",
		Related:           []string{"AWS Config ecs-no-environment-secrets"},
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-8",
			"https://docs.aws.amazon.com/config/latest/developerguide/ecs-no-environment-secrets.html",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		// The names as compared, once for all containers (in a slice: there are a few).
		names := envSettings(env).CredentialKeyNames
		var buf [8]string
		keys := buf[:0]
		for _, k := range names {
			keys = append(keys, strings.ToUpper(strings.TrimSpace(k)))
		}
		return perContainer(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			return checkEnvironment(env, t.ContainerName(i), i, c.Environment, keys)
		})
	},
})

func checkEnvironment(env *rule.Env, container string, i int, vars []ecstypes.KeyValuePair, keys []string) rule.Result {
	var hits []string
	seen := map[string]bool{}
	first := -1
	for j, kv := range vars {
		name := aws.ToString(kv.Name)
		signal, ok := credentialSignal(name, aws.ToString(kv.Value), keys)
		if !ok {
			continue
		}
		if first < 0 {
			first = j
		}
		if !seen[name] {
			seen[name] = true
			hits = append(hits, fmt.Sprintf("%q (%s)", name, signal))
		}
	}
	if len(hits) == 0 {
		return pass(fmt.Sprintf("container %q: none of its %s environment variable(s) looks like a credential", container, strconv.Itoa(len(vars))))
	}
	return fail(fmt.Sprintf("container %q passes %s credential(s) in plain-text environment variables: %s",
		container, strconv.Itoa(len(hits)), strings.Join(hits, "; ")), containerPath(i, "environment", strconv.Itoa(first)))
}

// credentialSignal says why an environment variable holds a credential. The text it returns is built from the
// name and fixed phrases only: nothing of the value may reach a finding.
func credentialSignal(name, value string, keys []string) (string, bool) {
	v := strings.TrimSpace(value)
	if v == "" {
		return "", false
	}
	var signal string
	switch {
	case slices.Contains(keys, strings.ToUpper(strings.TrimSpace(name))):
		signal = "known credential variable name"
	case credentialFormat(v) != "":
		signal = "value has the format of " + credentialFormat(v)
	default:
		w := sensitiveWord(name)
		if w == "" || harmlessValue(v) {
			return "", false
		}
		signal = fmt.Sprintf("sensitive word %q in the name and a value that is not a number, boolean, duration, "+
			"size, ARN, path or URL without a password", w)
	}
	if templatePlaceholder.MatchString(v) {
		// A placeholder is still a finding: whatever renders the template writes the literal credential into the
		// registered task definition.
		signal += "; the value is a template placeholder, so the rendered task definition holds the credential itself"
	}
	return signal, true
}

// credentialFormats are value shapes that are credentials whatever the variable is called. Documentation
// example keys (AKIAIOSFODNN7EXAMPLE) match on purpose: a scanner cannot tell them from live ones. Each has a test
// that every match passes (it looks for text any match contains): most values fail it, and it is far cheaper than
// the expression.
var credentialFormats = []struct {
	what string
	re   *regexp.Regexp
	may  func(v string) bool
}{
	{"an AWS access key ID", regexp.MustCompile(`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`), containing("AKIA", "ASIA")},
	{"a private key", regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----`), containing("-----BEGIN ")},
	{"a GitHub token", regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})`), containing("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")},
	{"a Slack token", regexp.MustCompile(`\bxox[baprs]-[A-Za-z0-9-]{10,}`), containing("xox")},
	{"a Slack webhook URL", regexp.MustCompile(`(?i)https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9]+/`),
		func(v string) bool { return containsFold(v, "://hooks.slack.com/") }},
	{"a signed JWT", regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}`), containing("eyJ")},
	{"a Stripe live key", regexp.MustCompile(`\b(?:sk|rk)_live_[A-Za-z0-9]{16,}`), containing("_live_")},
	// scheme://[user]:password@host. The password stops at "/" so that "http://host:8080/a@b" is not read as one.
	{"a URL with an embedded password", regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s/@:]*:[^\s/@]+@[^\s/@]`),
		func(v string) bool { return strings.Contains(v, "@") && strings.Contains(v, "://") }},
}

func credentialFormat(v string) string {
	for _, f := range credentialFormats {
		if f.may(v) && f.re.MatchString(v) {
			return f.what
		}
	}
	return ""
}

// containing returns a test for values that contain any of subs.
func containing(subs ...string) func(string) bool {
	return func(v string) bool {
		for _, s := range subs {
			if strings.Contains(v, s) {
				return true
			}
		}
		return false
	}
}

// containsFold reports whether v contains sub, an ASCII string in lower case, ignoring case as (?i) does for
// ASCII letters. Only the Kelvin sign (K) and the long s (ſ) also fold to ASCII letters, and sub must hold neither
// k nor s for the answer to be exact: the Slack host holds s, so a value with ſ for it is looked at by the
// expression too.
func containsFold(v, sub string) bool {
	if strings.ContainsAny(v, "\u212a\u017f") {
		return true
	}
	for i := 0; i+len(sub) <= len(v); i++ {
		if strings.EqualFold(v[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// templatePlaceholder matches values left for a template engine to fill: ${X}, $X, {{ x }}, <X>, $$$X$$$, %X%,
// whole or embedded (${X} and {{ x }} only).
var templatePlaceholder = regexp.MustCompile(`^(?:\$\{[^}]+\}|\$[A-Z_][A-Z0-9_]*|\{\{.+\}\}|<[^<>]+>|\$\$\$[A-Za-z0-9_]+\$\$\$|%[A-Za-z0-9_]+%)$|\$\{[^}]+\}|\{\{[^}]+\}\}`)

// sensitiveWords are matched against the words of a variable name; an entry with "_" must match consecutive words.
// The first entry that matches is the one a finding names, so "apikey" precedes "api_key".
var sensitiveWords = []string{
	"password", "passwd", "pass", "pwd", "secret", "private_key", "apikey", "api_key", "token", "credential",
	"creds", "access_key",
}

// sensitiveWord returns the sensitive word found among the words of name, or "". Words are compared whole, so
// BYPASS holds no "pass" and TOKENIZER no "token". A multi-word entry also matches its parts written as one word
// (PRIVATEKEY, ACCESSKEY, as APIKEY for api_key), and any entry matches its plural (CREDENTIALS, SECRETS).
func sensitiveWord(name string) string {
	if !mayBeSensitive(name) {
		return ""
	}
	words := nameWords(name)
	for _, s := range sensitiveWords {
		multi := strings.Contains(s, "_")
		for i := range words {
			if wordIsJoined(words[i], s) {
				return s
			}
			if multi && matchParts(words[i:], s) {
				return s
			}
		}
	}
	return ""
}

// sensitiveStems holds text that each sensitive word, in every form sensitiveWord matches, begins with or is
// part of its first word. TestSensitiveStems checks that against sensitiveWords.
var sensitiveStems = [...]string{"pass", "pwd", "secret", "private", "api", "token", "cred", "access"}

// mayBeSensitive reports whether name, ignoring ASCII case, holds a sensitive stem: most variable names (PORT,
// NODE_ENV, AWS_REGION) do not, and looking is far cheaper than splitting them into words. A name that is not
// short ASCII may lower-case to a stem in ways bytes do not show (the Kelvin sign to k): it may always be.
func mayBeSensitive(name string) bool {
	var buf [64]byte
	if len(name) > len(buf) {
		return true
	}
	for i := range len(name) {
		c := name[i]
		if c >= utf8.RuneSelf {
			return true
		}
		if isASCIIUpper(c) {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	lower := buf[:len(name)]
	for _, s := range sensitiveStems {
		if bytes.Contains(lower, []byte(s)) {
			return true
		}
	}
	return false
}

// matchParts reports whether words start with the "_"-separated parts of s, the last one possibly plural.
func matchParts(words []string, s string) bool {
	for k := range words {
		p, rest, more := strings.Cut(s, "_")
		if !more {
			return wordIs(words[k], p)
		}
		if words[k] != p {
			return false
		}
		s = rest
	}
	return false
}

// wordIsJoined reports whether w is s written without its "_" (APIKEY for api_key), or its plural.
func wordIsJoined(w, s string) bool {
	j := 0
	for k := range len(s) {
		if s[k] == '_' {
			continue
		}
		if j == len(w) || w[j] != s[k] {
			return false
		}
		j++
	}
	return j == len(w) || (j == len(w)-1 && w[j] == 's')
}

func wordIs(w, s string) bool {
	return w == s || (len(w) == len(s)+1 && w[len(s)] == 's' && w[:len(s)] == s)
}

// nameWords splits a variable name into lower-case words: at "_", "-", ".", any other punctuation, lower-to-upper
// case changes (dbPassword), the end of an upper-case run before a capitalised word (APIKey), and letter/digit
// changes (PASSWORD2).
func nameWords(name string) []string {
	for i := range len(name) {
		if name[i] >= utf8.RuneSelf {
			return nameWordsUnicode(name)
		}
	}
	// The same split over bytes, for the ASCII names environment variables nearly always have: words are slices of
	// the name, lowered (which copies only a word with upper case).
	var words []string
	start := -1
	for i := range len(name) {
		c := name[i]
		if !isASCIILetter(c) && !isASCIIDigit(c) {
			if start >= 0 {
				words = append(words, strings.ToLower(name[start:i]))
				start = -1
			}
			continue
		}
		if start >= 0 {
			prev := name[i-1]
			if isASCIILower(prev) && isASCIIUpper(c) || isASCIIDigit(prev) != isASCIIDigit(c) ||
				isASCIIUpper(prev) && isASCIIUpper(c) && i+1 < len(name) && isASCIILower(name[i+1]) {
				words = append(words, strings.ToLower(name[start:i]))
				start = -1
			}
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		words = append(words, strings.ToLower(name[start:]))
	}
	return words
}

func isASCIILower(c byte) bool  { return c >= 'a' && c <= 'z' }
func isASCIIUpper(c byte) bool  { return c >= 'A' && c <= 'Z' }
func isASCIILetter(c byte) bool { return isASCIILower(c) || isASCIIUpper(c) }
func isASCIIDigit(c byte) bool  { return c >= '0' && c <= '9' }

// nameWordsUnicode is nameWords for any name.
func nameWordsUnicode(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if len(cur) > 0 {
			prev := cur[len(cur)-1]
			switch {
			case unicode.IsLower(prev) && unicode.IsUpper(r),
				unicode.IsDigit(prev) != unicode.IsDigit(r),
				unicode.IsUpper(prev) && unicode.IsUpper(r) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

var (
	numberValue   = regexp.MustCompile(`^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$`)
	durationValue = regexp.MustCompile(`(?i)^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w))+$|^P(?:\d+[YMWD])+(?:T(?:\d+(?:\.\d+)?[HMS])+)?$|^PT(?:\d+(?:\.\d+)?[HMS])+$`)
	sizeValue     = regexp.MustCompile(`(?i)^\d+(?:\.\d+)?\s?(?:[kmgtpe]i?b?|b|bytes)$`)
	pathValue     = regexp.MustCompile(`^(?:/|\./|\.\./|~/|[A-Za-z]:\\)\S*$`)
	// A base64-looking run that mixes cases and digits: a secret that happens to start with "/", not a directory.
	randomSegment = regexp.MustCompile(`^[A-Za-z0-9+=]{16,}$`)
)

// harmlessValue reports whether a value is plainly not a credential: a number, boolean, duration, size, ARN,
// parameter or file path, or a URL that carries no password.
func harmlessValue(v string) bool {
	switch strings.ToLower(v) {
	case "true", "false", "yes", "no", "on", "off", "enabled", "disabled":
		return true
	}
	if numberValue.MatchString(v) || durationValue.MatchString(v) || sizeValue.MatchString(v) {
		return true
	}
	if _, ok := model.ParseARN(v); ok && !strings.ContainsAny(v, " \t\r\n") {
		return true
	}
	return isPath(v) || isPlainURL(v)
}

func isPath(v string) bool {
	if !pathValue.MatchString(v) {
		return false
	}
	for _, seg := range strings.FieldsFunc(v, func(r rune) bool { return r == '/' || r == '\\' }) {
		if randomSegment.MatchString(seg) && strings.ContainsAny(seg, "0123456789") &&
			strings.ToLower(seg) != seg && strings.ToUpper(seg) != seg {
			return false
		}
	}
	return true
}

// isPlainURL reports whether v is a URL with a host and no credentials: no password in it (the format check has
// already caught user:password@) and no query parameter with a sensitive name and a real value (?token=...).
func isPlainURL(v string) bool {
	if strings.ContainsAny(v, " \t\r\n") {
		return false
	}
	s := v
	if len(s) > 5 && strings.EqualFold(s[:5], "jdbc:") {
		s = s[5:]
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || (u.Host == "" && u.Scheme != "file") {
		return false
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			return false
		}
	}
	for k, vals := range u.Query() {
		if sensitiveWord(k) == "" {
			continue
		}
		for _, qv := range vals {
			if qv = strings.TrimSpace(qv); qv != "" && !harmlessValue(qv) {
				return false
			}
		}
	}
	return true
}
