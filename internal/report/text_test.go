package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// TestTextFixFirst checks that the text report lists a resource's failures most severe first, then by rule, and
// ends with a per-rule roll-up giving severity, profile and count.
func TestTextFixFirst(t *testing.T) {
	sub := &engine.Subject{Type: rule.TypeTaskDefinition, ID: "web:1", Source: "web.json"}
	meta := func(id string, p rule.Profile) *rule.Meta {
		return &rule.Meta{ID: id, Title: "Title of " + id, Remediation: "Fix it.", Profile: p}
	}
	low := meta("task.b-low", rule.Restricted)
	high := meta("task.z-high", rule.Baseline)
	med := meta("task.a-medium", rule.Restricted)
	rep := &Report{Findings: []engine.Finding{
		{Rule: low, Subject: sub, Status: rule.Failed, Severity: rule.Low, Container: "app"},
		{Rule: med, Subject: sub, Status: rule.Failed, Severity: rule.Medium, Container: "app"},
		{Rule: high, Subject: sub, Status: rule.Failed, Severity: rule.High, Container: "app"},
		{Rule: med, Subject: sub, Status: rule.Failed, Severity: rule.Medium, Container: "sidecar"},
	}}
	var buf bytes.Buffer
	if err := (Text{}).Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	idx := func(s string) int { return strings.Index(out, s) }
	if !(idx("HIGH     task.z-high") < idx("MEDIUM   task.a-medium [app]") &&
		idx("MEDIUM   task.a-medium [app]") < idx("MEDIUM   task.a-medium [sidecar]") &&
		idx("MEDIUM   task.a-medium [sidecar]") < idx("LOW      task.b-low")) || idx("HIGH     task.z-high") < 0 {
		t.Errorf("findings not most severe first:\n%s", out)
	}
	for _, line := range []string{
		"task.z-high                              HIGH     baseline   1",
		"task.a-medium                            MEDIUM   restricted 2",
		"task.b-low                               LOW      restricted 1",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("roll-up lacks %q:\n%s", line, out)
		}
	}
	if idx("failed by rule") < idx("LOW      task.b-low") {
		t.Errorf("roll-up must follow the findings:\n%s", out)
	}
}
