package ecr

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/testenv/ruletest"
)

// testCase is one table row: the input documents, a settings change, and the one result expected.
type testCase struct {
	name     string
	docs     []string
	settings func(s *rule.Settings)
	want     rule.Status
	// detail, when set, must appear in the result's detail.
	detail string
	// severity, when set, is the result's severity.
	severity rule.Severity
	// path, when set, is the result's path.
	path string
}

func runCases[R model.Resource](t *testing.T, r *rule.Rule[R], cases []testCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			s := rule.DefaultSettings()
			if tt.settings != nil {
				tt.settings(s)
			}
			got := ruletest.Check(t, r, s, tt.docs...)
			if len(got) != 1 {
				t.Fatalf("got %d results %v, want one", len(got), got)
			}
			res := got[0]
			if res.Status != tt.want {
				t.Errorf("status %s, want %s (detail: %s)", res.Status, tt.want, res.Detail)
			}
			if tt.detail != "" && !strings.Contains(res.Detail, tt.detail) {
				t.Errorf("detail %q does not mention %q", res.Detail, tt.detail)
			}
			if tt.severity != "" && res.Severity != tt.severity {
				t.Errorf("severity %q, want %q", res.Severity, tt.severity)
			}
			if tt.path != "" && res.Path != tt.path {
				t.Errorf("path %q, want %q", res.Path, tt.path)
			}
			if res.Detail == "" {
				t.Errorf("empty detail")
			}
		})
	}
}

// repoDoc is describe-repositories output with one repository "team/app" holding the given JSON members
// (comma-terminated) and the given bundle members after the list.
func repoDoc(repoFields, bundle string) string {
	d := `{"repositories":[{` + repoFields + `"repositoryName":"team/app","registryId":"111122223333",` +
		`"repositoryArn":"arn:aws:ecr:us-east-1:111122223333:repository/team/app"}]`
	if bundle != "" {
		d += "," + bundle
	}
	return d + "}"
}

// policyOnly is get-repository-policy output: the repository is known only by its policy.
const policyOnly = `{"registryId":"111122223333","repositoryName":"team/app","policyText":"{}"}`

func docs(d ...string) []string { return d }

func TestCatalogMetadata(t *testing.T) {
	var metas []*rule.Meta
	for _, r := range RepoRules() {
		metas = append(metas, &r.Meta)
	}
	for _, r := range RegistryRules() {
		metas = append(metas, &r.Meta)
	}
	for _, r := range ImageRules() {
		metas = append(metas, &r.Meta)
	}
	if len(metas) != 9 {
		t.Errorf("got %d ECR rules, want 9", len(metas))
	}
	seen := map[string]bool{}
	for _, m := range metas {
		if seen[m.ID] {
			t.Errorf("duplicate ID %s", m.ID)
		}
		seen[m.ID] = true
		if m.Title == "" || strings.HasSuffix(m.Title, ".") || strings.ToUpper(m.Title[:1]) != m.Title[:1] {
			t.Errorf("%s: title %q: want sentence case without a trailing period", m.ID, m.Title)
		}
		if m.Description == "" || m.Remediation == "" || !strings.HasPrefix(m.RemediationURL, "https://") {
			t.Errorf("%s: description, remediation and remediation URL are required", m.ID)
		}
		if m.Severity.Rank() == 0 || m.Level == "" || m.ResourceType == "" || len(m.References) == 0 {
			t.Errorf("%s: severity, level, resource type and references are required", m.ID)
		}
	}
}
