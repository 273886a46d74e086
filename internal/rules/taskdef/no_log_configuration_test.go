package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestNoLogConfiguration(t *testing.T) {
	runCasesA(t, NoLogConfiguration, []caseA{
		{name: "absent", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x"}]}`,
			want: map[string]expectA{"app": {status: rule.Failed, detail: `container "app" has no logConfiguration`, path: "containerDefinitions/0/logConfiguration"}}},
		{name: "without logDriver", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x","logConfiguration":{"options":{"awslogs-group":"/ecs/f"}}}]}`,
			want: map[string]expectA{"app": {status: rule.Failed, detail: "logConfiguration without a logDriver", path: "containerDefinitions/0/logConfiguration/logDriver"}}},
		{name: "awslogs", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x","logConfiguration":{"logDriver":"awslogs"}}]}`,
			want: map[string]expectA{"app": {status: rule.Passed, detail: `container "app" logs with the awslogs driver`}}},
		{name: "one of two", doc: `{"family":"f","containerDefinitions":[
			{"name":"app","image":"x","logConfiguration":{"logDriver":"awsfirelens"}},{"name":"cron","image":"y"}]}`,
			want: map[string]expectA{
				"app":  {status: rule.Passed, detail: "awsfirelens"},
				"cron": {status: rule.Failed, detail: `container "cron"`, path: "containerDefinitions/1/logConfiguration"},
			}},
		{name: "applies to Windows", doc: `{"family":"f","runtimePlatform":{"operatingSystemFamily":"WINDOWS_SERVER_2022_CORE"},
			"containerDefinitions":[{"name":"iis","image":"x"}]}`,
			want: map[string]expectA{"iis": {status: rule.Failed, detail: "no logConfiguration", path: "containerDefinitions/0/logConfiguration"}}},
	})
}
