package engine

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// TestEvaluateIDs checks the IDs Evaluate builds together against FindingID, for plain IDs and for IDs too long
// for Security Hub (hashed), side by side in one batch.
func TestEvaluateIDs(t *testing.T) {
	long := "arn:aws:ecs:us-east-1:111122223333:task-definition/" + strings.Repeat("x", 470) + ":1"
	tasks := []*model.TaskDefinition{
		task(webARN, "web", 3, "app", "bad-sidecar"),
		task(long, "long", 1, "a", strings.Repeat("c", 30)),
		task("", "bare", 2, "bad"),
	}
	fs := New(testCatalog(), nil).Evaluate(Resources{Tasks: tasks}, now)
	if len(fs) != 8 {
		t.Fatalf("got %d findings, want 8", len(fs))
	}
	hashed := 0
	for _, f := range fs {
		if want := FindingID(f.RuleID, f.ResourceID, f.Container); f.ID != want {
			t.Errorf("finding %s/%s: ID %q, want %q", f.RuleID, f.Container, f.ID, want)
		}
		if strings.HasPrefix(f.ID, "ecsaudit/") {
			hashed++
		}
	}
	if hashed == 0 {
		t.Fatal("no ID was long enough to be hashed")
	}
}
