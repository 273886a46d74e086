package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestImageNotPinned(t *testing.T) {
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		image string
		want  rule.Status
	}{
		{"nginx", rule.Failed},
		{"nginx:latest", rule.Failed},
		{"library/nginx:latest", rule.Failed},
		{"localhost:5000/app", rule.Failed},
		{"registry.example.com:5000/team/app", rule.Failed},
		{"registry.example.com:5000/team/app:latest", rule.Failed},
		{"111122223333.dkr.ecr.us-east-1.amazonaws.com/web", rule.Failed},
		{"nginx:1.27", rule.Passed},
		{"localhost:5000/app:1.2", rule.Passed},
		{"registry.example.com:5000/team/app:2024-05-01", rule.Passed},
		{"111122223333.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2", rule.Passed},
		{"nginx@" + digest, rule.Passed},
		{"nginx:latest@" + digest, rule.Passed},
		{"localhost:5000/app@" + digest, rule.Passed},
		{"nginx:LATEST", rule.Passed}, // tags are case-sensitive: LATEST is a version someone chose
	}
	var cases []resultCase
	for _, tt := range tests {
		w := expected{status: tt.want}
		if tt.want == rule.Failed {
			w.path = "containerDefinitions/0/image"
		}
		cases = append(cases, resultCase{name: tt.image,
			docs: docsOf(`{"family":"f","containerDefinitions":[{"name":"app","image":"` + tt.image + `"}]}`),
			want: map[string]expected{"app": w}})
	}
	cases = append(cases, resultCase{name: "no image", docs: docsOf(`{"family":"f","containerDefinitions":[{"name":"app"}]}`),
		want: map[string]expected{"app": {status: rule.NotAvailable}}})
	runResultCases(t, ImageNotPinned, cases)
}
