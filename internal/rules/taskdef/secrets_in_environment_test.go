package taskdef

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/testenv/ruletest"
)

// envDoc builds a one-container task definition with the given environment (name, value pairs).
func envDoc(t *testing.T, pairs ...string) string {
	t.Helper()
	var env []map[string]string
	for i := 0; i+1 < len(pairs); i += 2 {
		env = append(env, map[string]string{"name": pairs[i], "value": pairs[i+1]})
	}
	doc, err := json.Marshal(map[string]any{
		"family":               "f",
		"containerDefinitions": []any{map[string]any{"name": "app", "image": "x", "environment": env}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}

// Token-shaped test values are assembled at run time so that the source holds no string a secret scanner would
// block on push.
var (
	fakeGitHubToken = "ghp" + "_" + strings.Repeat("a1B2", 9)
	fakeSlackToken  = "xox" + "b-" + "1234567890-abcdefghij"
	fakeStripeKey   = "sk" + "_live_" + strings.Repeat("Zz9", 8)
	fakePEM         = "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
	fakeSlackHook   = "https://hooks.slack.com/services/" + "T00000000/B00000000/" + strings.Repeat("X", 24)
)

func TestSecretsInEnvironment(t *testing.T) {
	tests := []struct {
		name, value string
		want        rule.Status
		signal      string // a phrase the detail must hold when FAILED
	}{
		// Sensitive words with values that are not plainly harmless.
		{"DB_PASSWORD", "hunter2", rule.Failed, `sensitive word "password"`},
		{"dbPassword", "hunter2", rule.Failed, `sensitive word "password"`},
		{"MYSQL_ROOT_PASSWORD", "password", rule.Failed, `"password"`},
		{"JENKINS_PASS", "vahgh2Wooca7ejaikush", rule.Failed, `sensitive word "pass"`},
		{"DB_PASSWD", "x", rule.Failed, `"passwd"`},
		{"DB_PWD", "x", rule.Failed, `"pwd"`},
		{"PASSWORD2", "x", rule.Failed, `"password"`},
		{"CLIENT_SECRET", "abc", rule.Failed, `"secret"`},
		{"WEBHOOK_SECRET", "whsec_dummy", rule.Failed, `"secret"`},
		{"API_KEY", "abc123", rule.Failed, `"api_key"`},
		{"apiKey", "abc123", rule.Failed, `"api_key"`},
		{"X-Api-Key", "abc123", rule.Failed, `"api_key"`},
		{"APIKEY", "abc123", rule.Failed, `"apikey"`},
		{"APIKey", "abc123", rule.Failed, `"api_key"`},
		{"PRIVATE_KEY", "abc", rule.Failed, `"private_key"`},
		{"sshPrivateKey", "abc", rule.Failed, `"private_key"`},
		{"S3_ACCESS_KEY", "abc", rule.Failed, `"access_key"`},
		{"minio.accessKey", "abc", rule.Failed, `"access_key"`},
		{"GITHUB_TOKEN", "abc", rule.Failed, `"token"`},
		{"SLACK_CREDS", "abc", rule.Failed, `"creds"`},
		{"APP_CREDENTIALS", `{"user":"a","key":"b"}`, rule.Failed, `"credential"`},
		{"DB_PASSWORD", "/K7MDENGbPxRfiCYEXAMPLEKEY9", rule.Failed, `"password"`}, // base64 that starts with "/"
		{"API_TOKEN", "https://api.example.com/v1?token=abc123", rule.Failed, `"token"`},
		{"DB_PASSWORD", "db.internal:5432", rule.Failed, `"password"`},
		// Template placeholders still fail: the rendered task definition holds the literal.
		{"DD_API_KEY", "<YOUR_DATADOG_API_KEY>", rule.Failed, "template placeholder"},
		{"MYSQL_PASSWORD", "${MYSQL_PASSWORD}", rule.Failed, "template placeholder"},
		{"DB_TOKEN", "{{ db_token }}", rule.Failed, "template placeholder"},
		// Known credential names fail with any non-empty value, in any case.
		{"AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", rule.Failed, "known credential variable name"},
		{"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", rule.Failed, "known credential variable name"},
		{"AWS_SESSION_TOKEN", "IQoJb3JpZ2luX2VjEXAMPLE", rule.Failed, "known credential variable name"},
		{"ECS_ENGINE_AUTH_DATA", `{"https://index.docker.io/v1/":{"username":"u","password":"p"}}`, rule.Failed, "known credential variable name"},
		{"aws_secret_access_key", "true", rule.Failed, "known credential variable name"},
		// Credential formats fail whatever the name.
		{"FOO", "AKIAIOSFODNN7EXAMPLE", rule.Failed, "an AWS access key ID"},
		{"BAR", "ASIAIOSFODNN7EXAMPLE", rule.Failed, "an AWS access key ID"},
		{"TLS_MATERIAL", fakePEM, rule.Failed, "a private key"},
		{"GH", fakeGitHubToken, rule.Failed, "a GitHub token"},
		{"GH_AUTH", "Bearer " + fakeGitHubToken, rule.Failed, "a GitHub token"},
		{"NOTIFY", fakeSlackToken, rule.Failed, "a Slack token"},
		{"ALERTS_HOOK", fakeSlackHook, rule.Failed, "a Slack webhook URL"},
		{"BILLING", fakeStripeKey, rule.Failed, "a Stripe live key"},
		{"DATABASE_URL", "postgresql://payment_user:PaymentPassSecure123!@db.example.com:5432/payments", rule.Failed, "a URL with an embedded password"},
		{"REDIS_URL", "redis://:s3cr3t@cache.internal:6379/0", rule.Failed, "a URL with an embedded password"},
		{"JDBC_URL", "jdbc:mysql://app:pw@db:3306/app", rule.Failed, "a URL with an embedded password"},
		// Harmless values under sensitive names.
		{"PASSWORD_FILE", "/run/secrets/db", rule.Passed, ""},
		{"TOKEN_TTL", "3600", rule.Passed, ""},
		{"TOKEN_LIMIT", "-1", rule.Passed, ""},
		{"PASSWORD_MIN_LENGTH", "12", rule.Passed, ""},
		{"SESSION_TOKEN_TIMEOUT", "30s", rule.Passed, ""},
		{"TOKEN_REFRESH", "1h30m", rule.Passed, ""},
		{"TOKEN_LIFETIME", "PT15M", rule.Passed, ""},
		{"SECRET_CACHE_SIZE", "512Mi", rule.Passed, ""},
		{"MAX_TOKEN_SIZE", "10MB", rule.Passed, ""},
		{"AUTH_TOKEN_ENABLED", "false", rule.Passed, ""},
		{"PASSWORD_RESET", "Yes", rule.Passed, ""},
		{"DB_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf", rule.Passed, ""},
		{"DB_PASSWORD_PARAM", "/prod/db/password", rule.Passed, ""},
		{"GOOGLE_APPLICATION_CREDENTIALS", "/var/secrets/google/key.json", rule.Passed, ""},
		{"PWD", "/app", rule.Passed, ""},
		{"TOKEN_URL", "https://auth.example.com/oauth2/token", rule.Passed, ""},
		{"CREDENTIALS_ENDPOINT", "http://169.254.170.2/v2/credentials", rule.Passed, ""},
		{"PASSWORD_SERVICE", "postgres://app@db.internal/app", rule.Passed, ""},
		{"DB_PASSWORD", "", rule.Passed, ""},
		{"DB_PASSWORD", "   ", rule.Passed, ""},
		{"AWS_ACCESS_KEY_ID", "", rule.Passed, ""},
		// Whole words only.
		{"BYPASS", "true", rule.Passed, ""},
		{"BYPASS_CACHE", "sometimes", rule.Passed, ""},
		{"TOKENIZER_MODEL", "bert", rule.Passed, ""},
		{"PASSPORT_COUNTRY", "fr", rule.Passed, ""},
		{"COMPASS_HEADING", "north", rule.Passed, ""},
		{"PASSTHROUGH_HEADERS", "x-request-id", rule.Passed, ""},
		{"SECRETARY_NAME", "Ann", rule.Passed, ""},
		{"KEYBOARD_LAYOUT", "us", rule.Passed, ""},
		// Not credentials at all.
		{"SERVICE_URL", "http://host:8080/a@b", rule.Passed, ""},
		{"LOG_LEVEL", "debug", rule.Passed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			rs := ruletest.Check(t, SecretsInEnvironment, nil, envDoc(t, "PORT", "8080", tt.name, tt.value))
			if len(rs) != 1 {
				t.Fatalf("got %d results, want 1: %v", len(rs), rs)
			}
			r := rs[0]
			if r.Status != tt.want {
				t.Fatalf("got %s (%s), want %s", r.Status, r.Detail, tt.want)
			}
			if r.Status != rule.Failed {
				return
			}
			if !strings.Contains(r.Detail, tt.signal) || !strings.Contains(r.Detail, `"`+tt.name+`"`) {
				t.Errorf("detail %q should name %q and say %q", r.Detail, tt.name, tt.signal)
			}
			if r.Path != "containerDefinitions/0/environment/1" {
				t.Errorf("path %q, want containerDefinitions/0/environment/1", r.Path)
			}
		})
	}
}

// TestSecretsInEnvironmentNeverLeaksValues plants credentials and checks that no run of their characters appears
// anywhere in the results.
func TestSecretsInEnvironmentNeverLeaksValues(t *testing.T) {
	values := map[string]string{
		"DB_PASSWORD":           "q8Zr!Vx2#Lm9-tWk",
		"AWS_SECRET_ACCESS_KEY": "Hj3kQpL0vXs9RtY7uWmN2bC4dF6gA8eZ1iO5yU0t",
		"STRIPE":                fakeStripeKey,
		"TLS_MATERIAL":          fakePEM,
		"DATABASE_URL":          "mysql://root:Gq7#mWz!pK2v@db.zyxw.internal:3306/app",
		"MYSQL_PASSWORD":        "${ZQXJ_RENDERED_LATER}",
	}
	var pairs []string
	for _, k := range []string{"DB_PASSWORD", "AWS_SECRET_ACCESS_KEY", "STRIPE", "TLS_MATERIAL", "DATABASE_URL", "MYSQL_PASSWORD"} {
		pairs = append(pairs, k, values[k])
	}
	rs := ruletest.Check(t, SecretsInEnvironment, nil, envDoc(t, pairs...))
	if len(rs) != 1 || rs[0].Status != rule.Failed {
		t.Fatalf("want one FAILED result, got %v", rs)
	}
	for name := range values {
		if !strings.Contains(rs[0].Detail, `"`+name+`"`) {
			t.Errorf("detail does not name %s: %s", name, rs[0].Detail)
		}
	}
	const window = 5
	for name, v := range values {
		for i := 0; i+window <= len(v); i++ {
			part := v[i : i+window]
			if strings.ContainsAny(part, " \n-") {
				continue // separators and PEM armour, not secret material
			}
			for _, r := range rs {
				if strings.Contains(r.Detail, part) || strings.Contains(r.Path, part) || strings.Contains(r.Container, part) {
					t.Errorf("result leaks part %q of the value of %s: %+v", part, name, r)
				}
			}
		}
	}
}

func TestSecretsInEnvironmentPerContainer(t *testing.T) {
	doc := `{"family":"f","containerDefinitions":[
		{"name":"app","image":"x","environment":[
			{"name":"PORT","value":"80"},
			{"name":"DB_PASSWORD","value":"hunter2"},
			{"name":"API_TOKEN","value":"abc"},
			{"name":"DB_PASSWORD","value":"again"}],
		 "secrets":[{"name":"REAL_PASSWORD","valueFrom":"arn:aws:ssm:us-east-1:111122223333:parameter/db"}]},
		{"name":"sidecar","image":"y","secrets":[{"name":"DB_PASSWORD","valueFrom":"arn:aws:secretsmanager:us-east-1:111122223333:secret:db"}]},
		{"name":"bare","image":"z"}]}`
	rs := ruletest.Check(t, SecretsInEnvironment, nil, doc)
	got := ruletest.Statuses(rs)
	want := map[string]rule.Status{"app": rule.Failed, "sidecar": rule.Passed, "bare": rule.Passed}
	for c, s := range want {
		if got[c] != s {
			t.Errorf("container %s: got %s, want %s", c, got[c], s)
		}
	}
	app := rs[slices.IndexFunc(rs, func(r rule.Result) bool { return r.Container == "app" })]
	if strings.Count(app.Detail, `"DB_PASSWORD"`) != 1 || !strings.Contains(app.Detail, `"API_TOKEN"`) {
		t.Errorf("detail should list DB_PASSWORD once and API_TOKEN: %s", app.Detail)
	}
	if app.Path != "containerDefinitions/0/environment/1" {
		t.Errorf("path %q, want the first offending entry", app.Path)
	}
	if strings.Contains(app.Detail, "REAL_PASSWORD") {
		t.Errorf("secrets entries are fine and should not be reported: %s", app.Detail)
	}
}

func TestSecretsInEnvironmentConfiguredKeyNames(t *testing.T) {
	doc := envDoc(t, "LICENSE_BLOB", "abc")
	if s := ruletest.Check(t, SecretsInEnvironment, nil, doc)[0].Status; s != rule.Passed {
		t.Fatalf("default settings: got %s, want PASSED", s)
	}
	settings := rule.DefaultSettings()
	settings.CredentialKeyNames = append(settings.CredentialKeyNames, "LICENSE_BLOB")
	r := ruletest.Check(t, SecretsInEnvironment, settings, doc)[0]
	if r.Status != rule.Failed || !strings.Contains(r.Detail, "known credential variable name") {
		t.Fatalf("configured key name: got %s (%s), want FAILED by name", r.Status, r.Detail)
	}
}

func TestNameWords(t *testing.T) {
	tests := map[string][]string{
		"DB_PASSWORD":       {"db", "password"},
		"dbPassword":        {"db", "password"},
		"APIKey":            {"api", "key"},
		"X-Api-Key":         {"x", "api", "key"},
		"minio.accessKeyID": {"minio", "access", "key", "id"},
		"PASSWORD2":         {"password", "2"},
		"BYPASS":            {"bypass"},
		"__A__":             {"a"},
		"":                  nil,
	}
	for in, want := range tests {
		if got := nameWords(in); !slices.Equal(got, want) {
			t.Errorf("nameWords(%q) = %q, want %q", in, got, want)
		}
	}
}
