package fnconfig

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func known(id string) bool { return id == "task.root-user" }

func TestFromEnv(t *testing.T) {
	f, err := FromEnv(env(map[string]string{
		"STATE_TABLE": "tbl", "TOPIC_ARN": "arn:aws:sns:us-east-1:111122223333:t", "NOTIFY_THRESHOLD": "medium",
		"VULNERABILITY_THRESHOLD": "CRITICAL", "TRUSTED_REGISTRIES": "ghcr.io, *.dkr.ecr.*.amazonaws.com",
		"REVISION_MODE": "all", "REPORT_PASSES": "true", "SEVERITY_THRESHOLD": "low", "BASELINE_MODE": "false", "LOG_LEVEL": "debug",
		"AUDIT_CONFIG": `{"rules":{"task.root-user":{"severity":"HIGH"}}}`,
	}), known)
	if err != nil {
		t.Fatal(err)
	}
	if f.StateTable != "tbl" || f.NotifyThreshold != rule.Medium || f.Audit.MinSeverity != rule.Low || f.RevisionMode != "all" || !f.ReportPasses || f.Baseline {
		t.Fatalf("%+v", f)
	}
	if got := f.Audit.Settings.TrustedRegistries; len(got) != 2 || got[0] != "ghcr.io" {
		t.Fatalf("trusted registries: %v", got)
	}
	if f.Audit.Settings.VulnerabilityThreshold != rule.Critical || f.Audit.Severity("task.root-user", rule.Medium) != rule.High {
		t.Fatalf("audit config not applied: %+v", f.Audit)
	}
}

func TestFromEnvNamesTheBadVariable(t *testing.T) {
	tests := map[string]map[string]string{
		"STATE_TABLE":        {},
		"NOTIFY_THRESHOLD":   {"STATE_TABLE": "t", "NOTIFY_THRESHOLD": "urgent"},
		"SEVERITY_THRESHOLD": {"STATE_TABLE": "t", "SEVERITY_THRESHOLD": "big"},
		"REVISION_MODE":      {"STATE_TABLE": "t", "REVISION_MODE": "newest"},
		"REPORT_PASSES":      {"STATE_TABLE": "t", "REPORT_PASSES": "yes please"},
		"TOPIC_ARN":          {"STATE_TABLE": "t", "TOPIC_ARN": "my-topic"},
		"AUDIT_CONFIG":       {"STATE_TABLE": "t", "AUDIT_CONFIG": `{"rules":{"task.nope":{}}}`},
		"LOG_LEVEL":          {"STATE_TABLE": "t", "LOG_LEVEL": "loud"},
	}
	for name, vars := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := FromEnv(env(vars), known)
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("want an error naming %s, got %v", name, err)
			}
		})
	}
}
