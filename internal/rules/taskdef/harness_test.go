package taskdef

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/testenv/ruletest"
)

// expectA is what one result must be: its status, a fragment of its detail, its path (required for FAILED) and its
// severity override ("" when the rule's default applies).
type expectA struct {
	status   rule.Status
	detail   string
	path     string
	severity rule.Severity
}

// caseA is one row of a rule's table test: a task definition and the result expected per container
// ("" for a task-level result).
type caseA struct {
	name     string
	doc      string
	settings *rule.Settings
	want     map[string]expectA
}

func runCasesA(t *testing.T, r *Rule, cases []caseA) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertResultsA(t, ruletest.Check(t, r, tc.settings, tc.doc), tc.want)
		})
	}
}

func assertResultsA(t *testing.T, got []rule.Result, want map[string]expectA) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d results %+v, want %d", len(got), got, len(want))
	}
	for _, r := range got {
		w, ok := want[r.Container]
		if !ok {
			t.Errorf("unexpected result for container %q: %+v", r.Container, r)
			continue
		}
		if w.status == rule.Failed && w.path == "" {
			t.Fatalf("test table: FAILED expectation for %q needs a path", r.Container)
		}
		if r.Status != w.status {
			t.Errorf("container %q: status %s, want %s (detail %q)", r.Container, r.Status, w.status, r.Detail)
		}
		if !strings.Contains(r.Detail, w.detail) {
			t.Errorf("container %q: detail %q does not contain %q", r.Container, r.Detail, w.detail)
		}
		if w.path != "" && r.Path != w.path {
			t.Errorf("container %q: path %q, want %q", r.Container, r.Path, w.path)
		}
		if r.Severity != w.severity {
			t.Errorf("container %q: severity %q, want %q", r.Container, r.Severity, w.severity)
		}
	}
}

// resultCase is one table row for a rule: a task definition (plus any other documents), the settings to run with
// (nil: defaults) and the expected result per container ("" for task-level rules).
type resultCase struct {
	name     string
	docs     []string
	settings *rule.Settings
	want     map[string]expected
}

// expected is an expected result; empty Severity and Path are not checked.
type expected struct {
	status   rule.Status
	severity rule.Severity
	path     string
}

func runResultCases(t *testing.T, r *Rule, cases []resultCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rs := ruletest.Check(t, r, tc.settings, tc.docs...)
			got := map[string]rule.Result{}
			for _, x := range rs {
				got[x.Container] = x
			}
			if len(got) != len(tc.want) || len(rs) != len(tc.want) {
				t.Fatalf("got %d results %v, want %d", len(rs), rs, len(tc.want))
			}
			for c, w := range tc.want {
				g, ok := got[c]
				if !ok {
					t.Fatalf("no result for container %q in %v", c, rs)
				}
				if g.Status != w.status {
					t.Errorf("container %q: got %s (%s), want %s", c, g.Status, g.Detail, w.status)
				}
				if w.severity != "" && g.Severity != w.severity {
					t.Errorf("container %q: severity %q, want %q (%s)", c, g.Severity, w.severity, g.Detail)
				}
				if w.path != "" && g.Path != w.path {
					t.Errorf("container %q: path %q, want %q", c, g.Path, w.path)
				}
				if g.Detail == "" {
					t.Errorf("container %q: empty detail", c)
				}
			}
		})
	}
}

func docsOf(docs ...string) []string { return docs }
