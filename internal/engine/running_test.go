package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestApplyRunning(t *testing.T) {
	const svc = "arn:aws:ecs:us-east-1:111122223333:service/prod/web"
	const cluster = "arn:aws:ecs:us-east-1:111122223333:cluster/prod"
	public := &model.Running{Runners: []model.Runner{{Service: svc, Cluster: cluster, Public: true}}, Complete: true}
	private := &model.Running{Runners: []model.Runner{{Service: svc, Cluster: cluster}}, Complete: true}
	nothing := &model.Running{Complete: true}
	partial := &model.Running{}
	tests := []struct {
		name     string
		running  *model.Running
		override string
		status   rule.Status
		in       []rule.Severity
		want     []rule.Severity
		// wantDetail is in every finding's detail; wantWhy in the Context of each finding that moved.
		wantDetail, wantWhy string
	}{
		{name: "public raises", running: public, in: []rule.Severity{rule.Low, rule.Medium, rule.High, rule.Critical},
			want:       []rule.Severity{rule.Medium, rule.High, rule.Critical, rule.Critical},
			wantDetail: "runs in service web of cluster prod with a public IP", wantWhy: "raised"},
		{name: "private keeps", running: private, in: []rule.Severity{rule.Low, rule.High},
			want: []rule.Severity{rule.Low, rule.High}, wantDetail: "runs in service web of cluster prod)"},
		{name: "nothing runs lowers, never below LOW", running: nothing,
			in:         []rule.Severity{rule.Informational, rule.Low, rule.Medium, rule.High, rule.Critical},
			want:       []rule.Severity{rule.Informational, rule.Low, rule.Low, rule.Medium, rule.High},
			wantDetail: model.NothingRuns, wantWhy: "lowered"},
		{name: "incomplete and empty knows nothing", running: partial, in: []rule.Severity{rule.Medium},
			want: []rule.Severity{rule.Medium}},
		{name: "no context knows nothing", in: []rule.Severity{rule.Medium}, want: []rule.Severity{rule.Medium}},
		{name: "a configured severity wins", running: public, override: "r0", in: []rule.Severity{rule.Low},
			want: []rule.Severity{rule.Low}, wantDetail: "with a public IP"},
		{name: "suppressed findings are described, not moved", running: nothing, status: rule.Suppressed,
			in: []rule.Severity{rule.High}, want: []rule.Severity{rule.High}, wantDetail: model.NothingRuns},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			if tt.override != "" {
				cfg.Rules = map[string]config.RuleOverride{tt.override: {Severity: rule.Low}}
			}
			td := &model.TaskDefinition{Ref: model.Ref{ARN: "arn:aws:ecs:us-east-1:111122223333:task-definition/web:7"}, Running: tt.running}
			sub := NewSubject(td)
			status := tt.status
			if status == "" {
				status = rule.Failed
			}
			var fs []Finding
			for i, sev := range tt.in {
				fs = append(fs, Finding{Rule: &rule.Meta{ID: "r" + string(rune('0'+i)), Severity: sev}, Subject: sub,
					Status: status, Severity: sev, Detail: "seen"})
			}
			New(NewCatalog(), cfg).applyRunning(fs, td)
			for i, f := range fs {
				if f.Severity != tt.want[i] {
					t.Errorf("finding %d: severity %s, want %s", i, f.Severity, tt.want[i])
				}
				if tt.wantDetail == "" && f.Detail != "seen" {
					t.Errorf("finding %d: detail %q, want it unchanged", i, f.Detail)
				}
				if !strings.Contains(f.Detail, tt.wantDetail) {
					t.Errorf("finding %d: detail %q, want it to say %q", i, f.Detail, tt.wantDetail)
				}
				moved := f.Severity != tt.in[i]
				if moved != (f.Context != "") || (moved && (!strings.Contains(f.Context, tt.wantWhy) || !strings.Contains(f.Detail, f.Context))) {
					t.Errorf("finding %d: moved %v, context %q, detail %q", i, moved, f.Context, f.Detail)
				}
			}
		})
	}
}

// The running context combines with the container context: a root and privileged container in a public service
// rises twice, and each rise is explained; nothing is hidden.
func TestRunningCombinesWithContainerContext(t *testing.T) {
	td := &model.TaskDefinition{Ref: model.Ref{ARN: "arn:aws:ecs:us-east-1:111122223333:task-definition/web:7"}}
	td.Def.Family, td.Def.Revision = aws.String("web"), 7
	td.Def.ContainerDefinitions = []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx"), Privileged: aws.Bool(true)}}
	root := &rule.Meta{ID: ruleRootUser, Severity: rule.Medium}
	priv := &rule.Meta{ID: rulePrivileged, Severity: rule.High}
	cat := NewCatalog()
	for _, m := range []*rule.Meta{root, priv} {
		cat.Rules = append(cat.Rules, &rule.Rule[*model.TaskDefinition]{Meta: *m, Check: func(*model.TaskDefinition, *rule.Env) []rule.Result {
			return []rule.Result{{Status: rule.Failed, Container: "app", Detail: "seen"}}
		}})
	}
	eng := New(cat, nil)
	base := eng.EvaluateOne(td, time.Unix(0, 0))
	td.Running = &model.Running{Runners: []model.Runner{{Service: "arn:aws:ecs:us-east-1:111122223333:service/prod/web", Public: true}}}
	got := eng.EvaluateOne(td, time.Unix(0, 0))
	if len(got) != 2 || len(base) != 2 {
		t.Fatalf("findings: %d and %d, want 2 each", len(base), len(got))
	}
	want := []rule.Severity{rule.Critical, rule.Critical} // MEDIUM -> HIGH -> CRITICAL; HIGH -> CRITICAL (stays)
	for i, f := range got {
		if f.Severity != want[i] {
			t.Errorf("%s: %s, want %s", f.Rule.ID, f.Severity, want[i])
		}
	}
	if c := got[0].Context; !strings.Contains(c, "root and is privileged") || !strings.Contains(c, "public IP") {
		t.Errorf("root-user context %q: want both reasons", c)
	}
	if base[0].Severity != rule.High || strings.Contains(base[0].Detail, "runs in") {
		t.Errorf("without running context: %s %q", base[0].Severity, base[0].Detail)
	}
}
