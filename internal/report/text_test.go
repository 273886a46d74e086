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

// TestTextLinesWrapAndWaiver: the text report gives each resource's file and line and each finding's line, wraps
// remediation under "fix:", and says a tag waiver's origin once.
func TestTextLinesWrapAndWaiver(t *testing.T) {
	src := []byte(`{
  "repositories": [
    {"repositoryName": "a"},
    {
      "repositoryName": "b",
      "imageTagMutability": "MUTABLE"
    }
  ]
}`)
	sub := &engine.Subject{Type: rule.TypeRepository, ID: "b", Source: "repos.json", SourcePath: "repositories/1"}
	long := strings.Repeat("word ", 40) + "end."
	m := &rule.Meta{ID: "repo.x", Title: "Title", Remediation: long, Profile: rule.Restricted}
	w := &rule.Meta{ID: "repo.w", Title: "Waived", Remediation: "r", Profile: rule.Restricted}
	rep := &Report{Sources: map[string][]byte{"repos.json": src}, Findings: []engine.Finding{
		{Rule: m, Subject: sub, Status: rule.Failed, Severity: rule.Medium, Path: "imageTagMutability", Detail: "mutable"},
		{Rule: w, Subject: sub, Status: rule.Suppressed, Severity: rule.Low, Detail: "waived one",
			Suppression: &engine.Suppression{By: "resource tag " + engine.SuppressTag, Until: "2026-12-31", Reason: engine.TagWaiverReason}},
		{Rule: w, Subject: &engine.Subject{Type: rule.TypeRepository, ID: "c", Source: "repos.json"}, Status: rule.Suppressed,
			Severity: rule.Low, Suppression: &engine.Suppression{By: "configuration c.json suppressions[0]", Reason: "accepted risk"}},
	}}
	var buf bytes.Buffer
	if err := (Text{}).Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"b (AwsEcrRepository, repos.json:4)",
		"MEDIUM   repo.x: Title (line 6)",
		"           waived by resource tag ecsaudit:suppress until 2026-12-31\n",
		"           waived by configuration c.json suppressions[0]: accepted risk\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "ecsaudit:suppress") != 1 {
		t.Errorf("the tag waiver is explained more than once:\n%s", out)
	}
	var fix []string
	for _, l := range strings.Split(out, "\n") {
		if len(l) > textWidth {
			t.Errorf("line of %d characters: %q", len(l), l)
		}
		if strings.HasPrefix(l, "           fix: ") || (len(fix) > 0 && strings.HasPrefix(l, fixIndent) && !strings.HasPrefix(l, fixIndent+" ")) {
			fix = append(fix, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "fix:")))
		}
	}
	if len(fix) < 3 || strings.Join(fix, " ") != strings.TrimSpace(long) {
		t.Errorf("remediation not wrapped whole over several lines: %q", fix)
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  []string
	}{
		{"a bb ccc", 4, []string{"a bb", "ccc"}},
		{"a bb ccc", 8, []string{"a bb ccc"}},
		{"averyverylongword x", 5, []string{"averyverylongword", "x"}},
		{"", 5, nil},
		{"é é é", 3, []string{"é é", "é"}},
	} {
		if got := wrap(tc.in, tc.width); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}
