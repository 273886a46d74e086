package engine

import (
	"strings"
	"testing"
	"time"

	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

var now = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// containerRule fails every container whose name starts with "bad".
var containerRule = &rule.Rule[*model.TaskDefinition]{
	Meta: rule.Meta{ID: "task.test-container", Title: "Container is bad", Remediation: "Fix it.", Severity: rule.Medium,
		Level: rule.ContainerLevel, ResourceType: rule.TypeTaskDefinition},
	Check: func(t *model.TaskDefinition, _ *rule.Env) []rule.Result {
		var out []rule.Result
		for i := range t.Def.ContainerDefinitions {
			name := t.ContainerName(i)
			r := rule.Result{Container: name, Status: rule.Passed, Detail: "fine"}
			if strings.HasPrefix(name, "bad") {
				r = rule.Result{Container: name, Status: rule.Failed, Detail: "container " + name + " is bad", Path: "containerDefinitions/0/x"}
			}
			out = append(out, r)
		}
		return out
	},
}

// gradedRule fails every task with a severity of its own, like an "as found" rule.
var gradedRule = &rule.Rule[*model.TaskDefinition]{
	Meta: rule.Meta{ID: "task.test-graded", Title: "Task is graded", Remediation: "Fix it.", Severity: rule.High,
		SeverityAsFound: true, Level: rule.TaskLevel, ResourceType: rule.TypeTaskDefinition},
	Check: func(*model.TaskDefinition, *rule.Env) []rule.Result {
		return []rule.Result{{Status: rule.Failed, Severity: rule.Low, Detail: "graded low"}}
	},
}

var repoRule = &rule.Rule[*model.Repository]{
	Meta: rule.Meta{ID: "repo.test", Title: "Repository is bad", Remediation: "Fix it.", Severity: rule.Critical,
		Level: rule.RepositoryLevel, ResourceType: rule.TypeRepository},
	Check: func(*model.Repository, *rule.Env) []rule.Result {
		return []rule.Result{{Status: rule.Failed, Detail: "bad repository"}}
	},
}

func testCatalog() *Catalog {
	return NewCatalog(containerRule, gradedRule, repoRule)
}

// resources is a batch of task definitions as the engine takes it.
func resources(tasks []*model.TaskDefinition) []model.Resource {
	out := make([]model.Resource, len(tasks))
	for i, t := range tasks {
		out[i] = t
	}
	return out
}

func str(s string) *string { return &s }

// task builds a task definition; an empty arn leaves the identity to family:revision.
func task(arn, family string, revision int32, containers ...string) *model.TaskDefinition {
	t := &model.TaskDefinition{Def: ecstypes.TaskDefinition{Family: str(family), Revision: revision}}
	for _, c := range containers {
		t.Def.ContainerDefinitions = append(t.Def.ContainerDefinitions, ecstypes.ContainerDefinition{Name: str(c), Image: str("x")})
	}
	t.ARN = arn
	t.Source, t.SourcePath = family+".json", "taskDefinition"
	if a, ok := model.ParseARN(arn); ok {
		t.Account, t.Region = a.Account, a.Region
	}
	return t
}

const webARN = "arn:aws:ecs:us-east-1:111122223333:task-definition/web:3"

func find(fs []Finding, ruleID, container string) *Finding {
	for i := range fs {
		if fs[i].Rule.ID == ruleID && fs[i].Container == container {
			return &fs[i]
		}
	}
	return nil
}

func TestEvaluateFindingFields(t *testing.T) {
	td := task(webARN, "web", 3, "app", "bad-sidecar")
	repo := &model.Repository{Repo: ecrtypes.Repository{RepositoryName: str("images")}}
	fs := New(testCatalog(), nil).Evaluate([]model.Resource{td, repo}, now)
	if len(fs) != 4 {
		t.Fatalf("%d findings, want 2 containers + 1 graded + 1 repository: %+v", len(fs), fs)
	}
	if fs[0].Rule.ID != "task.test-container" || fs[3].Rule.ID != "repo.test" {
		t.Errorf("order: tasks in rule order, then repositories; got %s ... %s", fs[0].Rule.ID, fs[3].Rule.ID)
	}
	f := find(fs, "task.test-container", "bad-sidecar")
	want := Finding{
		Rule: &containerRule.Meta, Status: rule.Failed, Severity: rule.Medium, Container: "bad-sidecar",
		Detail: "container bad-sidecar is bad", Path: "containerDefinitions/0/x",
	}
	wantSubject := Subject{
		Resource: td, Type: rule.TypeTaskDefinition, ID: webARN, Source: "web.json", SourcePath: "taskDefinition",
		Account: "111122223333", Region: "us-east-1",
	}
	if f == nil || f.Subject == nil || *f.Subject != wantSubject {
		t.Fatalf("finding subject\n got %+v\nwant %+v", f, wantSubject)
	}
	want.Subject = f.Subject
	if *f != want {
		t.Errorf("finding\n got %+v\nwant %+v", f, want)
	}
	if id := f.ID(); id != webARN+"/task.test-container/bad-sidecar" {
		t.Errorf("finding ID %s", id)
	}
	if f.Rule.Title != "Container is bad" || f.Rule.Remediation != "Fix it." {
		t.Errorf("rule title %q, remediation %q", f.Rule.Title, f.Rule.Remediation)
	}
	if p := find(fs, "task.test-container", "app"); p == nil || p.Status != rule.Passed || p.Suppression != nil {
		t.Errorf("passing container: %+v", p)
	}
}

func TestFindingIDs(t *testing.T) {
	tasks := []*model.TaskDefinition{
		task(webARN, "web", 3, "bad-a", "bad-b"),
		task("", "web", 4, "bad-a", "bad-b"),
		task("", "api", 0, "bad-a"),
	}
	e := New(testCatalog(), nil)
	first := e.Evaluate(resources(tasks), now)
	again := e.Evaluate(resources(tasks), now.Add(48*time.Hour))
	seen := map[string]bool{}
	for i, f := range first {
		if again[i].ID() != f.ID() {
			t.Errorf("ID changed between runs: %s, then %s", f.ID(), again[i].ID())
		}
		if seen[f.ID()] {
			t.Errorf("ID %s repeated", f.ID())
		}
		seen[f.ID()] = true
	}
	if len(seen) != 2+1+2+1+1+1 {
		t.Errorf("%d distinct IDs: %v", len(seen), seen)
	}
	for _, id := range []string{"web:4/task.test-container/bad-a", "api/task.test-graded", webARN + "/task.test-graded"} {
		if !seen[id] {
			t.Errorf("no finding %s among %v", id, seen)
		}
	}
}

func TestFindingIDLong(t *testing.T) {
	long := "arn:aws:ecs:us-east-1:111122223333:task-definition/" + strings.Repeat("f", 600) + ":1"
	a := FindingID("task.x", long, "app")
	b := FindingID("task.x", long, "sidecar")
	if len(a) > 512 || !strings.HasPrefix(a, "ecsaudit/task.x/") {
		t.Errorf("long ID %q (%d characters)", a, len(a))
	}
	if a == b || a != FindingID("task.x", long, "app") {
		t.Error("hashed IDs must be stable and distinct per container")
	}
	// The separator keeps ("ab", "c") and ("a", "bc") apart even when hashed.
	if FindingID("task.x", long+"a", "b") == FindingID("task.x", long, "ab") {
		t.Error("hashed IDs of different (resource, container) pairs collide")
	}
	if got := FindingID("task.x", "web:1", ""); got != "web:1/task.x" {
		t.Errorf("task-level ID %q", got)
	}
}

func TestSeverity(t *testing.T) {
	td := task(webARN, "web", 3, "bad")
	tests := []struct {
		name      string
		overrides map[string]config.RuleOverride
		ruleID    string
		want      rule.Severity
	}{
		{"rule default", nil, "task.test-container", rule.Medium},
		{"configured override", map[string]config.RuleOverride{"task.test-container": {Severity: rule.Critical}}, "task.test-container", rule.Critical},
		{"a result's own severity", nil, "task.test-graded", rule.Low},
		{"override beats a result's severity", map[string]config.RuleOverride{"task.test-graded": {Severity: rule.Informational}}, "task.test-graded", rule.Informational},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			if tt.overrides != nil {
				cfg.Rules = tt.overrides
			}
			fs := New(testCatalog(), cfg).EvaluateOne(td, now)
			var f *Finding
			for i := range fs {
				if fs[i].Rule.ID == tt.ruleID {
					f = &fs[i]
				}
			}
			if f == nil || f.Severity != tt.want {
				t.Errorf("got %+v, want severity %s", f, tt.want)
			}
		})
	}
}

func TestDisabledRule(t *testing.T) {
	cfg := config.Default()
	cfg.Rules["task.test-container"] = config.RuleOverride{Disabled: true}
	fs := New(testCatalog(), cfg).EvaluateOne(task(webARN, "web", 3, "bad", "good"), now)
	if len(fs) != 1 || fs[0].Rule.ID != "task.test-graded" {
		t.Errorf("findings %+v, want only task.test-graded", fs)
	}
}

func TestEnvReachesRules(t *testing.T) {
	var got *rule.Env
	spy := &rule.Rule[*model.TaskDefinition]{
		Meta:  rule.Meta{ID: "task.test-spy", Severity: rule.Low},
		Check: func(_ *model.TaskDefinition, env *rule.Env) []rule.Result { got = env; return nil },
	}
	cfg := config.Default()
	cfg.Settings.ScanGrace = 3 * time.Hour
	New(NewCatalog(spy), cfg).EvaluateOne(task("", "web", 1, "a"), now)
	if got == nil || !got.Now.Equal(now) || got.Settings.ScanGrace != 3*time.Hour {
		t.Errorf("env %+v", got)
	}
}

func TestMetasIncludeEngineRuleAndSort(t *testing.T) {
	metas := testCatalog().Metas()
	var ids []string
	for _, m := range metas {
		ids = append(ids, m.ID)
	}
	want := "ecsaudit.invalid-suppression-tag repo.test task.test-container task.test-graded"
	if strings.Join(ids, " ") != want {
		t.Errorf("metas %v, want %s", ids, want)
	}
	if testCatalog().Lookup("repo.test") == nil || testCatalog().Lookup("task.nope") != nil {
		t.Error("Lookup")
	}
}

func TestDuplicateIDPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a duplicate rule ID did not panic")
		}
	}()
	NewCatalog(containerRule, containerRule).Metas()
}
