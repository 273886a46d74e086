package taskdef

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

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
