package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/rules/ruletest"
)

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

func TestSecurityOption(t *testing.T) {
	tests := []struct{ in, key, value string }{
		{"seccomp:unconfined", "seccomp", "unconfined"},
		{"seccomp=unconfined", "seccomp", "unconfined"},
		{" Label:Type:SPC_T ", "label", "type:spc_t"},
		{"no-new-privileges", "no-new-privileges", ""},
		{"no-new-privileges:true", "no-new-privileges", "true"},
	}
	for _, tt := range tests {
		if k, v := securityOption(tt.in); k != tt.key || v != tt.value {
			t.Errorf("securityOption(%q) = %q, %q; want %q, %q", tt.in, k, v, tt.key, tt.value)
		}
	}
}
