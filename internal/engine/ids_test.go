package engine

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// TestEvaluateIDs checks the IDs of evaluated findings: resource/rule[/container] while that fits Security Hub's
// 512 characters, a hash of the three beyond, and never the same ID for two findings.
func TestEvaluateIDs(t *testing.T) {
	long := "arn:aws:ecs:us-east-1:111122223333:task-definition/" + strings.Repeat("x", 470) + ":1"
	tasks := []*model.TaskDefinition{
		task(webARN, "web", 3, "app", "bad-sidecar"),
		task(long, "long", 1, "a", strings.Repeat("c", 30)),
		task("", "bare", 2, "bad"),
	}
	fs := New(testCatalog(), nil).Evaluate(resources(tasks), now)
	if len(fs) != 8 {
		t.Fatalf("got %d findings, want 8", len(fs))
	}
	want := map[string]bool{
		webARN + "/task.test-container/app":         true,
		webARN + "/task.test-container/bad-sidecar": true,
		webARN + "/task.test-graded":                true,
		"bare:2/task.test-container/bad":            true,
		"bare:2/task.test-graded":                   true,
	}
	seen := map[string]bool{}
	hashed := 0
	for _, f := range fs {
		id := f.ID()
		switch {
		case want[id]:
			delete(want, id)
		case strings.HasPrefix(id, "ecsaudit/"+f.Rule.ID+"/") && len(id) == len("ecsaudit/"+f.Rule.ID+"/")+64:
			hashed++
		default:
			t.Errorf("finding %s/%s on %.40s…: unexpected ID %q", f.Rule.ID, f.Container, f.Subject.ID, id)
		}
		if seen[id] {
			t.Errorf("ID %q given twice", id)
		}
		seen[id] = true
	}
	if len(want) != 0 || hashed != 3 {
		t.Errorf("IDs not given: %v; %d hashed IDs, want 3", want, hashed)
	}
}

// TestFindingJSON checks the flat JSON form of a finding: every field in order, the rule's and resource's
// included, omitted when empty where the form allows it, and <, > and & left as written.
func TestFindingJSON(t *testing.T) {
	m := &rule.Meta{ID: "task.x", Title: "X & Y", Remediation: `Set "a" to <value>.`}
	f := Finding{
		Rule: m, Status: rule.Failed, Severity: rule.High, Container: "app", Detail: "a is <unset>",
		Path: "containerDefinitions/0/a",
		Subject: &Subject{
			Type: rule.TypeTaskDefinition, ID: "web:3", Source: "web.json", SourcePath: "taskDefinition",
			Account: "111122223333", Region: "us-east-1",
		},
		Suppression: &Suppression{Reason: "r", By: "b", Until: "2026-12-31", Expired: true},
	}
	data, err := f.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"web:3/task.x/app","ruleId":"task.x","status":"FAILED","severity":"HIGH",` +
		`"resourceType":"AwsEcsTaskDefinition","resourceId":"web:3","container":"app","title":"X & Y",` +
		`"detail":"a is <unset>","remediation":"Set \"a\" to <value>.","source":"web.json",` +
		`"path":"containerDefinitions/0/a","sourcePath":"taskDefinition","account":"111122223333",` +
		`"region":"us-east-1","suppression":{"reason":"r","by":"b","until":"2026-12-31","expired":true}}`
	if string(data) != want {
		t.Errorf("JSON\n got %s\nwant %s", data, want)
	}
	bare := Finding{Rule: &rule.Meta{ID: "repo.y"}, Status: rule.Passed, Severity: rule.Low, Subject: &Subject{ID: "r"}}
	data, err = bare.MarshalJSON()
	want = `{"id":"r/repo.y","ruleId":"repo.y","status":"PASSED","severity":"LOW","resourceType":"","resourceId":"r",` +
		`"title":"","detail":"","remediation":""}`
	if err != nil || string(data) != want {
		t.Errorf("JSON\n got %s (%v)\nwant %s", data, err, want)
	}
}
