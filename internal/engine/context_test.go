package engine

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestApplyContext(t *testing.T) {
	task := &Subject{Type: rule.TypeTaskDefinition, ID: "web:1"}
	repo := &Subject{Type: rule.TypeRepository, ID: "web"}
	failed := func(sub *Subject, id, container string, sev rule.Severity) Finding {
		return Finding{Rule: &rule.Meta{ID: id, Severity: sev}, Subject: sub, Status: rule.Failed, Severity: sev,
			Container: container, Detail: "seen"}
	}
	tests := []struct {
		name      string
		override  string // a rule whose severity the configuration sets
		in        []Finding
		want      []rule.Severity
		wantWhy   string
		unchanged bool
	}{
		{
			name: "root and privileged raise every finding of the container",
			in: []Finding{
				failed(task, ruleRootUser, "app", rule.Medium),
				failed(task, rulePrivileged, "app", rule.High),
				failed(task, "task.writable-root-filesystem", "app", rule.Medium),
				failed(task, "task.writable-root-filesystem", "sidecar", rule.Medium),
			},
			want:    []rule.Severity{rule.High, rule.Critical, rule.High, rule.Medium},
			wantWhy: "runs as root and is privileged",
		},
		{
			name: "root and dangerous capabilities raise",
			in: []Finding{
				failed(task, ruleRootUser, "app", rule.Medium),
				failed(task, ruleAddedCaps, "app", rule.High),
			},
			want:    []rule.Severity{rule.High, rule.Critical},
			wantWhy: "adds dangerous capabilities",
		},
		{
			name: "privileged without root does not raise",
			in: []Finding{
				failed(task, rulePrivileged, "app", rule.High),
				failed(task, "task.cpu-limit", "app", rule.Medium),
			},
			want:      []rule.Severity{rule.High, rule.Medium},
			unchanged: true,
		},
		{
			name: "critical vulnerabilities raise the container's other findings",
			in: []Finding{
				failed(task, ruleVulnerableImg, "app", rule.Critical),
				failed(task, ruleRootUser, "app", rule.Medium),
			},
			want:    []rule.Severity{rule.Critical, rule.High},
			wantWhy: "CRITICAL vulnerabilities",
		},
		{
			name:     "a configured severity wins",
			override: ruleRootUser,
			in: []Finding{
				failed(task, ruleRootUser, "app", rule.Low),
				failed(task, rulePrivileged, "app", rule.High),
			},
			want: []rule.Severity{rule.Low, rule.Critical},
		},
		{
			name: "other resources are left alone",
			in: []Finding{
				failed(repo, ruleRootUser, "app", rule.Medium),
				failed(repo, rulePrivileged, "app", rule.High),
			},
			want:      []rule.Severity{rule.Medium, rule.High},
			unchanged: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			if tt.override != "" {
				cfg.Rules = map[string]config.RuleOverride{tt.override: {Severity: rule.Low}}
			}
			New(NewCatalog(), cfg).applyContext(tt.in)
			for i, f := range tt.in {
				if f.Severity != tt.want[i] {
					t.Errorf("finding %d (%s @%s): severity %s, want %s", i, f.Rule.ID, f.Container, f.Severity, tt.want[i])
				}
				raised := f.Context != ""
				if raised != strings.Contains(f.Detail, "severity raised") {
					t.Errorf("finding %d: context %q not explained in detail %q", i, f.Context, f.Detail)
				}
				if raised && tt.wantWhy != "" && !strings.Contains(f.Context, tt.wantWhy) {
					t.Errorf("finding %d: context %q, want it to say %q", i, f.Context, tt.wantWhy)
				}
				if tt.unchanged && raised {
					t.Errorf("finding %d: raised (%s), want unchanged", i, f.Context)
				}
			}
		})
	}
}
