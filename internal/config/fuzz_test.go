package config

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// fuzzKnown stands in for the catalog, which this package cannot import (the engine imports config).
func fuzzKnown(id string) bool {
	switch id {
	case "task.privileged-container", "task.root-user", "repo.public-policy", "image.vulnerabilities":
		return true
	}
	return false
}

// FuzzParse feeds arbitrary bytes to Parse: a configuration file is user input, and so is the AUDIT_CONFIG value the
// Lambdas read it from.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{}`, ``, `null`, `[]`, `{"rules":null}`,
		`{
  "rules": {"task.privileged-container": {"disabled": true}, "repo.public-policy": {"severity": "critical"},
            "task.root-user": {"severity": " low "}},
  "trustedRegistries": ["Registry.Example.COM", " *.dkr.ecr.*.amazonaws.com "],
  "allowedCapabilities": ["cap_sys_time", "NET_BIND_SERVICE"],
  "credentialKeyNames": ["db_password"],
  "allowedKmsKeys": ["arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
  "allowedImmutabilityExclusions": ["sha256-*"],
  "requiredTags": ["team", "cost-center"],
  "vulnerabilityThreshold": "medium",
  "scanGraceMinutes": 90,
  "defaultLogDriverMode": "non-blocking",
  "maxSuppressionDays": 30,
  "suppressions": [
    {"resource": "arn:aws:ecs:*:111122223333:task-definition/web:*", "rule": "task.root-user", "container": "log-router",
     "until": "2026-12-31", "reason": "vendor image, fix tracked in JIRA-1"},
    {"resource": "web?", "rule": "image.vulnerabilities", "reason": "accepted"}
  ]
}`,
		`{"trustedRegistries": [], "requiredTags": ["", " "], "scanGraceMinutes": -1, "maxSuppressionDays": 0}`,
		`{"rules": {"task.zzz": {}}, "vulnerabilityThreshold": "severe", "defaultLogDriverMode": "sometimes"}`,
		`{"suppressions": [{"resource": "", "rule": "", "until": "31/12/2026", "reason": " "}]}`,
		`{"unknownKey": 1}`, `{"scanGraceMinutes": "90"}`, `{"rules": {"repo.public-policy": {"disabled": true}}} {}`,
		`{"maxSuppressionDays": 365, "suppressions": [{"resource": "*", "rule": "repo.public-policy", "reason": "r"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const source = "fuzz.json"
		c, err := Parse(source, data, fuzzKnown)
		if err != nil {
			if c != nil {
				t.Fatalf("error %q together with a configuration", err)
			}
			// errors.Join puts one problem a line; each names the file.
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "config "+source+": ") {
					t.Fatalf("error line does not name the file: %q", line)
				}
			}
			return
		}
		if c.Settings == nil || c.Rules == nil || c.Source != source {
			t.Fatalf("incomplete configuration: %+v", c)
		}
		for id, o := range c.Rules {
			if !fuzzKnown(id) {
				t.Fatalf("override for unknown rule %q", id)
			}
			if o.Severity != "" && o.Severity.Rank() == 0 {
				t.Fatalf("rule %s: severity %q", id, o.Severity)
			}
		}
		for i, s := range c.Suppressions {
			if s.Resource == "" || !fuzzKnown(s.Rule) || strings.TrimSpace(s.Reason) == "" {
				t.Fatalf("suppression %d accepted incomplete: %+v", i, s)
			}
		}
		if v := c.Settings.VulnerabilityThreshold; v.Rank() == 0 {
			t.Fatalf("vulnerability threshold %q", v)
		}
		if m := c.Settings.DefaultLogDriverMode; m != "" && m != "blocking" && m != "non-blocking" {
			t.Fatalf("defaultLogDriverMode %q", m)
		}
		for _, list := range [][]string{c.Settings.TrustedRegistries, c.Settings.AllowedCapabilities, c.Settings.CredentialKeyNames,
			c.Settings.AllowedKMSKeys, c.Settings.AllowedImmutabilityExclusions, c.Settings.RequiredTags} {
			for _, v := range list {
				if strings.TrimSpace(v) == "" {
					t.Fatalf("empty list value accepted: %q", list)
				}
			}
		}
		// The durations are exactly what the file says: no overflow turns a long grace or maximum into a negative
		// one (a negative maximum switches the cap off).
		var n struct {
			ScanGraceMinutes   *int `json:"scanGraceMinutes"`
			MaxSuppressionDays *int `json:"maxSuppressionDays"`
		}
		if err := json.Unmarshal(data, &n); err != nil {
			t.Fatalf("Parse accepted what encoding/json refuses: %v", err)
		}
		if n.ScanGraceMinutes != nil {
			if g := c.Settings.ScanGrace; g < 0 || g%time.Minute != 0 || int64(g/time.Minute) != int64(*n.ScanGraceMinutes) {
				t.Fatalf("scanGraceMinutes %d became %v", *n.ScanGraceMinutes, g)
			}
		}
		if n.MaxSuppressionDays != nil {
			day := 24 * time.Hour
			if m := c.MaxSuppression; m <= 0 || m%day != 0 || int64(m/day) != int64(*n.MaxSuppressionDays) {
				t.Fatalf("maxSuppressionDays %d became %v", *n.MaxSuppressionDays, m)
			}
		}
	})
}
