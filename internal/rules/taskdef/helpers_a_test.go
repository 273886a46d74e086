package taskdef

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/rules/ruletest"
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

func TestParseLinuxUser(t *testing.T) {
	p := func(s string) *string { return &s }
	tests := []struct {
		name   string
		user   *string
		root   bool
		detail string
	}{
		{"absent", nil, true, "image's USER: that may be non-root, but the task definition does not guarantee it"},
		{"empty", p(""), true, "image's USER"},
		{"blank", p("  "), true, "image's USER"},
		{"root", p("root"), true, `"root", which is root`},
		{"uid 0", p("0"), true, "which is root"},
		{"zero padded uid", p("00"), true, "which is root"},
		{"uid 0 gid 0", p("0:0"), true, "which is root"},
		{"root with group", p("root:wheel"), true, "which is root"},
		{"uid 0 with group", p("0:1000"), true, "which is root"},
		{"group only", p(":1000"), true, "names only a group, so the image's USER applies"},
		{"uid with group 0", p("1000:0"), false, "user 1000 is not root (only the group is 0)"},
		{"name with root group", p("app:root"), false, "only the group is root"},
		{"nobody", p("nobody"), false, "which is not root"},
		{"uid", p("1000"), false, "which is not root"},
		{"name that contains root", p("rootless"), false, "which is not root"},
		{"upper case ROOT is another user", p("ROOT"), false, "which is not root"},
		{"uid 10", p("10"), false, "which is not root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := parseLinuxUser(tt.user)
			if u.root != tt.root {
				t.Errorf("root = %v, want %v", u.root, tt.root)
			}
			if d := u.describe(); !strings.Contains(d, tt.detail) {
				t.Errorf("describe() = %q, want it to contain %q", d, tt.detail)
			}
		})
	}
}

// batchA lists the rules of this batch, so their metadata can be checked while the catalog-wide lint lives elsewhere.
func batchA() []*Rule {
	return []*Rule{RootUser, WindowsAdminUser, HostNetworkRoot, HostNetworkMode, HostPIDMode, HostIPCMode,
		WritableRootFilesystem, AddedCapabilities, CapabilitiesNotDropped, MemoryLimit, CPULimit, NoLogConfiguration}
}

func TestMetadataBatchA(t *testing.T) {
	registered := map[string]bool{}
	for _, r := range All() {
		registered[r.ID] = true
	}
	controlID := regexp.MustCompile(`^ECS\.[0-9]+$`)
	for _, r := range batchA() {
		t.Run(r.ID, func(t *testing.T) {
			m := r.Meta
			if !registered[m.ID] {
				t.Errorf("not registered")
			}
			if !strings.HasPrefix(m.ID, "task.") {
				t.Errorf("ID does not start with task.")
			}
			if m.Title == "" || !unicode.IsUpper([]rune(m.Title)[0]) || strings.HasSuffix(m.Title, ".") {
				t.Errorf("title %q: want sentence case without a trailing period", m.Title)
			}
			if m.Description == "" || !strings.HasSuffix(m.Description, ".") {
				t.Errorf("description %q: want one to three full sentences", m.Description)
			}
			if m.Remediation == "" || !strings.HasSuffix(m.Remediation, ".") {
				t.Errorf("remediation %q: want an actionable sentence", m.Remediation)
			}
			if !strings.HasPrefix(m.RemediationURL, "https://") {
				t.Errorf("remediation URL %q", m.RemediationURL)
			}
			if m.Severity.Rank() == 0 || m.SeverityAsFound {
				t.Errorf("severity %q (as found %v)", m.Severity, m.SeverityAsFound)
			}
			if m.Level != rule.ContainerLevel && m.Level != rule.TaskLevel {
				t.Errorf("level %q", m.Level)
			}
			if m.ResourceType != rule.TypeTaskDefinition {
				t.Errorf("resource type %q", m.ResourceType)
			}
			if len(m.Related) == 0 || len(m.References) == 0 {
				t.Errorf("want related anchors and references")
			}
			for _, u := range m.References {
				if !strings.HasPrefix(u, "https://") {
					t.Errorf("reference %q is not an https URL", u)
				}
			}
			if m.SecurityControlID != "" {
				if !controlID.MatchString(m.SecurityControlID) {
					t.Errorf("security control ID %q", m.SecurityControlID)
				}
				anchor := "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-" +
					strings.TrimPrefix(m.SecurityControlID, "ECS.")
				if m.RemediationURL != anchor || !slices.Contains(m.References, anchor) {
					t.Errorf("control %s: want remediation URL and a reference %s", m.SecurityControlID, anchor)
				}
			}
		})
	}
}
