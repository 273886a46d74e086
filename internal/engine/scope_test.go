package engine

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// TestScopedIDs checks that a resource read from a file has finding IDs qualified by that file, so the same family in
// two files is two sets of findings, while a resource read from AWS (no scope) keeps the ID it always had.
func TestScopedIDs(t *testing.T) {
	fromAWS := task(webARN, "web", 3, "app")
	staging := task("", "web", 0, "app")
	staging.Scope = "deploy/staging/web.json"
	prod := task("", "web", 0, "app")
	prod.Scope = "deploy/prod/web.json"
	fs := New(testCatalog(), nil).Evaluate(resources([]*model.TaskDefinition{fromAWS, staging, prod}), now)
	ids := map[string]bool{}
	for _, f := range fs {
		ids[f.ID()] = true
	}
	for _, want := range []string{
		webARN + "/task.test-container/app",
		"deploy/staging/web.json#web/task.test-container/app",
		"deploy/prod/web.json#web/task.test-container/app",
	} {
		if !ids[want] {
			t.Errorf("no finding %s among %v", want, ids)
		}
	}
	if got := FindingID("task.test-container", webARN, "app"); got != webARN+"/task.test-container/app" {
		t.Errorf("FindingID = %s: the identity of resources read from AWS changed", got)
	}
}
