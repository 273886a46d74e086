package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestUntrustedRegistry(t *testing.T) {
	custom := rule.DefaultSettings()
	custom.TrustedRegistries = []string{"ghcr.io", "*.example.com"}
	none := rule.DefaultSettings()
	none.TrustedRegistries = []string{}
	tests := []struct {
		image    string
		settings *rule.Settings
		want     rule.Status
	}{
		{"nginx", nil, rule.Failed},
		{"amazon/amazon-ecs-agent:latest", nil, rule.Failed},
		{"docker.io/library/nginx:1.27", nil, rule.Failed},
		{"ghcr.io/org/app:1.0", nil, rule.Failed},
		{"quay.io/prometheus/node-exporter:v1.8.0", nil, rule.Failed},
		{"localhost:5000/x", nil, rule.Failed},
		{"111122223333.dkr.ecr.us-east-1.amazonaws.com.evil.example/app:1", nil, rule.Failed},
		{"0123456789012.dkr.ecr.us-west-2.amazonaws.com/app:1", nil, rule.Failed}, // 13 digits: not an account
		{"evil.dkr.ecr.us-east-1.amazonaws.com/app:1", nil, rule.Failed},
		{"1111.22223333.dkr.ecr.us-east-1.amazonaws.com/app:1", nil, rule.Failed},
		{"111122223333.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2", nil, rule.Passed},
		{"111122223333.DKR.ECR.US-EAST-1.AMAZONAWS.COM/web:1.4.2", nil, rule.Passed},
		{"111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/web:1", nil, rule.Passed},
		{"111122223333.dkr.ecr.us-gov-west-1.amazonaws.com/web:1", nil, rule.Passed},
		{"111122223333.dkr.ecr-fips.us-east-1.amazonaws.com/web:1", nil, rule.Passed},
		{"public.ecr.aws/nginx/nginx:1.27", nil, rule.Passed},
		{"ghcr.io/org/app:1.0", custom, rule.Passed},
		{"registry.example.com/app:1", custom, rule.Passed},
		{"public.ecr.aws/nginx/nginx:1.27", custom, rule.Failed},
		{"nginx", none, rule.Passed},
	}
	var cases []resultCase
	for _, tt := range tests {
		w := expected{status: tt.want}
		if tt.want == rule.Failed {
			w.path = "containerDefinitions/0/image"
		}
		name := tt.image
		if tt.settings != nil {
			name += " (configured)"
		}
		cases = append(cases, resultCase{name: name, settings: tt.settings,
			docs: docsOf(`{"family":"f","containerDefinitions":[{"name":"app","image":"` + tt.image + `"}]}`),
			want: map[string]expected{"app": w}})
	}
	cases = append(cases, resultCase{name: "no image", docs: docsOf(`{"family":"f","containerDefinitions":[{"name":"app","image":" "}]}`),
		want: map[string]expected{"app": {status: rule.NotAvailable}}})
	runResultCases(t, UntrustedRegistry, cases)
}
