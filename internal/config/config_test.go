package config

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func known(id string) bool { return id == "task.a" || id == "task.b" }

func TestParseEveryKey(t *testing.T) {
	data := `{
  "rules": {
    "task.a": {"disabled": true},
    "task.b": {"severity": "critical"}
  },
  "trustedRegistries": ["Registry.Example.COM", " *.dkr.ecr.*.amazonaws.com "],
  "allowedCapabilities": ["cap_sys_time", "NET_BIND_SERVICE"],
  "credentialKeyNames": ["db_password"],
  "allowedKmsKeys": ["arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
  "allowedImmutabilityExclusions": ["sha256-*"],
  "requiredTags": ["team", "cost-center"],
  "vulnerabilityThreshold": "medium",
  "scanGraceMinutes": 90,
  "defaultLogDriverMode": "blocking",
  "maxSuppressionDays": 30,
  "suppressions": [
    {"resource": "arn:aws:ecs:*:111122223333:task-definition/web:*", "rule": "task.a", "container": "log-router",
     "until": "2026-12-31", "reason": "vendor image, fix tracked in JIRA-1"}
  ]
}`
	c, err := Parse("ecsaudit.json", []byte(data), known)
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != "ecsaudit.json" {
		t.Errorf("source %q", c.Source)
	}
	if !c.Disabled("task.a") || c.Disabled("task.b") {
		t.Error("rules.task.a.disabled")
	}
	if c.Severity("task.b", rule.Low) != rule.Critical || c.Severity("task.a", rule.Low) != rule.Low || c.Severity("task.zzz", rule.High) != rule.High {
		t.Error("rules.*.severity")
	}
	s := c.Settings
	checks := []struct {
		key       string
		got, want any
	}{
		{"trustedRegistries", s.TrustedRegistries, []string{"registry.example.com", "*.dkr.ecr.*.amazonaws.com"}},
		{"allowedCapabilities", s.AllowedCapabilities, []string{"SYS_TIME", "NET_BIND_SERVICE"}},
		{"credentialKeyNames", s.CredentialKeyNames, []string{"DB_PASSWORD"}},
		{"allowedKmsKeys", s.AllowedKMSKeys, []string{"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}},
		{"allowedImmutabilityExclusions", s.AllowedImmutabilityExclusions, []string{"sha256-*"}},
		{"requiredTags", s.RequiredTags, []string{"team", "cost-center"}},
		{"vulnerabilityThreshold", s.VulnerabilityThreshold, rule.Medium},
		{"scanGraceMinutes", s.ScanGrace, 90 * time.Minute},
		{"defaultLogDriverMode", s.DefaultLogDriverMode, "blocking"},
		{"maxSuppressionDays", c.MaxSuppression, 30 * 24 * time.Hour},
		{"suppressions", c.Suppressions, []Suppression{{
			Resource: "arn:aws:ecs:*:111122223333:task-definition/web:*", Rule: "task.a", Container: "log-router",
			Until: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), Reason: "vendor image, fix tracked in JIRA-1",
		}}},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %#v, want %#v", ch.key, ch.got, ch.want)
		}
	}
}

func TestEmptyConfigIsDefault(t *testing.T) {
	c, err := Parse("empty.json", []byte(`{}`), known)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Settings, rule.DefaultSettings()) || len(c.Rules) != 0 || c.Suppressions != nil || c.MaxSuppression != 0 {
		t.Errorf("{} parsed to %+v", c)
	}
}

// An explicitly empty list replaces the default: "trust no registry" must be expressible.
func TestEmptyListReplacesDefault(t *testing.T) {
	c, err := Parse("c.json", []byte(`{"trustedRegistries": [], "allowedCapabilities": []}`), known)
	if err != nil {
		t.Fatal(err)
	}
	if c.Settings.TrustedRegistries == nil || len(c.Settings.TrustedRegistries) != 0 || len(c.Settings.AllowedCapabilities) != 0 {
		t.Errorf("trusted %v, capabilities %v", c.Settings.TrustedRegistries, c.Settings.AllowedCapabilities)
	}
	if len(rule.DefaultSettings().TrustedRegistries) == 0 {
		t.Error("the defaults themselves were changed")
	}
}

func TestErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name, data string
		want       []string
	}{
		{"unknown top-level key", `{"trustedRegistry": ["x"]}`, []string{`unknown field "trustedRegistry"`}},
		{"unknown key in a rule", `{"rules": {"task.a": {"disable": true}}}`, []string{`unknown field "disable"`}},
		{"unknown key in a suppression", `{"suppressions": [{"resourse": "*", "rule": "task.a", "reason": "r"}]}`, []string{`unknown field "resourse"`}},
		{"unknown rule ID", `{"rules": {"task.nope": {"disabled": true}}}`, []string{"rules.task.nope", "unknown rule ID"}},
		{"bad severity", `{"rules": {"task.a": {"severity": "urgent"}}}`, []string{"rules.task.a.severity", `"urgent"`}},
		{"empty list value", `{"trustedRegistries": ["ok", " "]}`, []string{"trustedRegistries[1]", "empty"}},
		{"empty capability", `{"allowedCapabilities": [""]}`, []string{"allowedCapabilities[0]"}},
		{"bad threshold", `{"vulnerabilityThreshold": "severe"}`, []string{"vulnerabilityThreshold", `"severe"`}},
		{"negative grace", `{"scanGraceMinutes": -5}`, []string{"scanGraceMinutes", "-5"}},
		{"grace as a string", `{"scanGraceMinutes": "60"}`, []string{"scanGraceMinutes"}},
		{"bad log mode", `{"defaultLogDriverMode": "sometimes"}`, []string{"defaultLogDriverMode", `"sometimes"`}},
		{"zero maximum", `{"maxSuppressionDays": 0}`, []string{"maxSuppressionDays", "positive"}},
		{"suppression without resource", `{"suppressions": [{"rule": "task.a", "reason": "r"}]}`, []string{"suppressions[0].resource", "required"}},
		{"suppression of an unknown rule", `{"suppressions": [{"resource": "*", "rule": "task.z", "reason": "r"}]}`, []string{"suppressions[0].rule", `"task.z"`}},
		{"suppression without reason", `{"suppressions": [{"resource": "*", "rule": "task.a", "reason": "  "}]}`, []string{"suppressions[0].reason", "required"}},
		{"suppression with a bad date", `{"suppressions": [{"resource": "*", "rule": "task.a", "reason": "r", "until": "31/12/2026"}]}`, []string{"suppressions[0].until", "YYYY-MM-DD"}},
		{"second suppression", `{"suppressions": [{"resource": "*", "rule": "task.a", "reason": "r"}, {"resource": "*", "rule": "task.a"}]}`, []string{"suppressions[1].reason"}},
		{"every problem at once", `{"vulnerabilityThreshold": "x", "maxSuppressionDays": -1}`, []string{"vulnerabilityThreshold", "maxSuppressionDays"}},
		{"not JSON", `{"rules": `, []string{"unexpected EOF"}},
		{"wrong type", `{"rules": ["task.a"]}`, []string{"rules"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("team.json", []byte(tt.data), known)
			if err == nil {
				t.Fatalf("no error; parsed %+v", c)
			}
			msg := err.Error()
			if !strings.Contains(msg, "config team.json") {
				t.Errorf("error %q does not name the file", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
		})
	}
}

func TestAlertProfile(t *testing.T) {
	c, err := Parse("c.json", []byte(`{"alertProfile": "Baseline"}`), known)
	if err != nil {
		t.Fatal(err)
	}
	if c.AlertProfile != rule.Baseline || !c.Alerts(rule.Baseline) || c.Alerts(rule.Restricted) {
		t.Errorf("alertProfile baseline: AlertProfile %q, alerts restricted %v", c.AlertProfile, c.Alerts(rule.Restricted))
	}
	if d := Default(); !d.Alerts(rule.Baseline) || !d.Alerts(rule.Restricted) {
		t.Error("by default both profiles alert")
	}
	if _, err := Parse("c.json", []byte(`{"alertProfile": "strict"}`), known); err == nil || !strings.Contains(err.Error(), "alertProfile") {
		t.Errorf("unknown profile: error %v, want it to name alertProfile", err)
	}
}

func TestReportProfiles(t *testing.T) {
	if d := Default(); !d.Reports(rule.Baseline) || !d.Reports(rule.Restricted) {
		t.Error("by default both profiles are reported")
	}
	c, err := Parse("c.json", []byte(`{"reportProfiles": ["Baseline", "baseline"], "alertProfile": "baseline"}`), known)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Reports(rule.Baseline) || c.Reports(rule.Restricted) || len(c.ReportProfiles) != 1 {
		t.Errorf("reportProfiles [baseline]: %v", c.ReportProfiles)
	}
	c, err = Parse("c.json", []byte(`{"reportProfiles": ["restricted", "baseline"]}`), known)
	if err != nil || !c.Reports(rule.Baseline) || !c.Reports(rule.Restricted) {
		t.Errorf("both listed: %v, %v", err, c)
	}
	for _, tc := range []struct{ doc, want string }{
		{`{"reportProfiles": []}`, "reportProfiles: empty"},
		{`{"reportProfiles": ["baseline", "strict"]}`, `reportProfiles[1]: want "baseline" or "restricted", got "strict"`},
		{`{"reportProfiles": "baseline"}`, "reportProfiles"},
		{`{"reportProfiles": ["restricted"], "alertProfile": "baseline"}`, `alertProfile: "baseline" is not among reportProfiles`},
	} {
		if _, err := Parse("c.json", []byte(tc.doc), known); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.doc, err, tc.want)
		}
	}
}
