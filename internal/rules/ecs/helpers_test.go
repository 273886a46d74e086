package ecs

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/testenv/ruletest"
)

// testCase is one table row: an element of the describe output (its JSON object's members), a settings change,
// and the one result expected.
type testCase struct {
	name     string
	fields   string
	settings func(s *rule.Settings)
	want     rule.Status
	// detail, when set, must appear in the result's detail; path, when set, is the result's path.
	detail, path string
}

// runCases loads each case's fields as the one element of the describe output listing the rule's kind (key), as
// the CLI reads it, and checks the rule's one result.
func runCases[R model.Resource](t *testing.T, r *rule.Rule[R], key string, cases []testCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			s := rule.DefaultSettings()
			if tt.settings != nil {
				tt.settings(s)
			}
			got := ruletest.Check(t, r, s, `{"`+key+`":[{`+tt.fields+`}],"failures":[]}`)
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
			if tt.path != "" && res.Path != tt.path {
				t.Errorf("path %q, want %q", res.Path, tt.path)
			}
			if res.Detail == "" {
				t.Errorf("empty detail")
			}
		})
	}
}

const (
	svc     = `"serviceName":"web","serviceArn":"arn:aws:ecs:us-east-1:111122223333:service/prod/web"`
	cluster = `"clusterName":"prod","clusterArn":"arn:aws:ecs:us-east-1:111122223333:cluster/prod"`
)

func require(keys ...string) func(*rule.Settings) {
	return func(s *rule.Settings) { s.RequiredTags = keys }
}

func TestCatalogMetadata(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range All() {
		m := c.Metadata()
		if seen[m.ID] {
			t.Errorf("duplicate rule ID %s", m.ID)
		}
		seen[m.ID] = true
		if m.Title == "" || m.Description == "" || m.Remediation == "" || m.RemediationURL == "" || len(m.References) == 0 {
			t.Errorf("%s: incomplete metadata", m.ID)
		}
		if (m.Severity == rule.High || m.Severity == rule.Critical) != (m.Profile == rule.Baseline) {
			t.Errorf("%s: severity %s does not follow profile %s", m.ID, m.Severity, m.Profile)
		}
		if m.SecurityControlID == "" && len(m.Related) == 0 {
			t.Errorf("%s: no anchor", m.ID)
		}
		if m.ResourceType == "" || m.Level == "" {
			t.Errorf("%s: no resource type or level", m.ID)
		}
	}
	if len(seen) != 11 {
		t.Errorf("%d rules, want 11", len(seen))
	}
}
