package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/testenv/ruletest"
)

func TestPrivilegedContainer(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want map[string]rule.Status
	}{
		{"privileged", `{"family":"f","containerDefinitions":[{"name":"app","image":"x","privileged":true}]}`,
			map[string]rule.Status{"app": rule.Failed}},
		{"explicitly false", `{"family":"f","containerDefinitions":[{"name":"app","image":"x","privileged":false}]}`,
			map[string]rule.Status{"app": rule.Passed}},
		{"absent", `{"family":"f","containerDefinitions":[{"name":"app","image":"x"}]}`,
			map[string]rule.Status{"app": rule.Passed}},
		{"privileged sidecar among others", `{"family":"f","containerDefinitions":[{"name":"app","image":"x"},{"name":"agent","image":"y","privileged":true}]}`,
			map[string]rule.Status{"app": rule.Passed, "agent": rule.Failed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ruletest.Statuses(ruletest.Check(t, PrivilegedContainer, nil, tt.doc))
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for c, s := range tt.want {
				if got[c] != s {
					t.Errorf("container %s: got %s, want %s", c, got[c], s)
				}
			}
		})
	}
}
