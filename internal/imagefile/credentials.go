package imagefile

import (
	"bufio"
	"bytes"
	"io"
	"path"
	"regexp"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/rules/taskdef"
)

// maxCredentialFile is the largest file whose content is read to judge it: credential files are small.
const maxCredentialFile = 1 << 20

// vendoredDirs hold files of packages and toolchains (test keys among them) rather than credentials of the image's
// own: a private key under Go's crypto tests or a Python package's test data is not a leaked secret.
var vendoredDirs = []string{"/site-packages/", "/dist-packages/", "/node_modules/", "/usr/share/doc/", "/usr/local/go/src/",
	"/usr/lib/go/src/", "/testdata/", "/usr/share/ca-certificates/", "/etc/ssl/certs/"}

// credentialKind says which kind of credential file a path may be, by its name; "" for a name never read.
func credentialKind(name string) string {
	p := "/" + name
	for _, d := range vendoredDirs {
		if strings.Contains(p, d) {
			return ""
		}
	}
	base := path.Base(p)
	lower := strings.ToLower(base)
	switch {
	case lower == "id_rsa" || lower == "id_dsa" || lower == "id_ecdsa" || lower == "id_ed25519" ||
		strings.HasSuffix(lower, ".pem") || strings.HasSuffix(lower, ".key"):
		return "key"
	case strings.HasSuffix(p, "/.aws/credentials"):
		return "aws"
	case lower == ".npmrc":
		return "npmrc"
	case lower == ".pypirc":
		return "pypirc"
	case lower == ".git-credentials":
		return "url"
	case strings.HasSuffix(p, "/.docker/config.json"):
		return "docker"
	case lower == ".env" || strings.HasPrefix(lower, ".env.") || strings.HasSuffix(lower, ".env"):
		return "env"
	case strings.Contains(lower, "credential") || strings.Contains(lower, "secret") ||
		strings.Contains(lower, "service-account") || strings.Contains(lower, "service_account"):
		return "any"
	}
	return ""
}

var (
	npmToken     = regexp.MustCompile(`(?m)^\s*(?:\S*:)?(?:_authToken|_auth|_password)\s*=\s*(\S+)`)
	pypiPassword = regexp.MustCompile(`(?mi)^\s*password\s*[=:]\s*(\S+)`)
	awsSecret    = regexp.MustCompile(`(?mi)^\s*aws_(?:secret_access_key|session_token)\s*=\s*(\S+)`)
	dockerAuth   = regexp.MustCompile(`"(?:auth|identitytoken)"\s*:\s*"[^"]+"`)
	gcpKey       = regexp.MustCompile(`"type"\s*:\s*"service_account"`)
	placeholder  = regexp.MustCompile(`^(?:\$\{[^}]+\}|\$[A-Za-z_][A-Za-z0-9_]*|<[^<>]+>|\{\{.+\}\})$`)
)

// judgeCredentialFile reads a file whose name may hold a credential and says which credential it holds, or "". The
// answer is a fixed phrase, with variable names for a .env file: never anything of the value.
func judgeCredentialFile(name string, size int64, content io.Reader, settings *rule.Settings) string {
	kind := credentialKind(name)
	if kind == "" || size > maxCredentialFile || size == 0 {
		return ""
	}
	data, err := io.ReadAll(io.LimitReader(content, maxCredentialFile))
	if err != nil {
		return ""
	}
	real := func(m [][]byte) bool {
		if len(m) < 2 {
			return false
		}
		v := strings.Trim(string(m[1]), `"'`)
		return v != "" && !placeholder.MatchString(v)
	}
	format := taskdef.CredentialFormat(string(data))
	switch kind {
	case "key":
		if format == "a private key" {
			return "a private key"
		}
		return ""
	case "aws":
		if real(awsSecret.FindSubmatch(data)) {
			return "an AWS credentials file with a secret access key"
		}
	case "npmrc":
		if real(npmToken.FindSubmatch(data)) {
			return "an npm registry token"
		}
	case "pypirc":
		if real(pypiPassword.FindSubmatch(data)) {
			return "a PyPI password"
		}
	case "docker":
		if dockerAuth.Match(data) {
			return "Docker registry credentials"
		}
	case "env":
		if keys := envCredentials(data, settings); len(keys) > 0 {
			return "a .env file with credential values (" + strings.Join(keys, ", ") + ")"
		}
	case "any":
		if gcpKey.Match(data) && format == "a private key" {
			return "a Google Cloud service account key"
		}
	}
	if format != "" {
		return format
	}
	return ""
}

// envCredentials returns the names of the variables of a .env file whose values the credential detectors flag.
func envCredentials(data []byte, settings *rule.Settings) []string {
	var keys []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxCredentialFile)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"'`)
		if placeholder.MatchString(v) {
			continue // a template's .env.example: the value is filled in elsewhere
		}
		if _, ok := taskdef.CredentialSignal(k, v, settings); ok {
			keys = append(keys, k)
		}
	}
	return keys
}
