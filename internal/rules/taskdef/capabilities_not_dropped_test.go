package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestCapabilitiesNotDropped(t *testing.T) {
	doc := func(drop string) string {
		return `{"family":"f","containerDefinitions":[{"name":"app","image":"x","linuxParameters":{"capabilities":{"drop":` + drop + `}}}]}`
	}
	const path = "containerDefinitions/0/linuxParameters/capabilities/drop"
	runCasesA(t, CapabilitiesNotDropped, []caseA{
		{name: "no linuxParameters", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x"}]}`,
			want: map[string]expectA{"app": {status: rule.Failed, detail: `container "app" drops no capabilities`, path: path}}},
		{name: "capabilities without drop", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x","linuxParameters":{"capabilities":{"add":["NET_BIND_SERVICE"]}}}]}`,
			want: map[string]expectA{"app": {status: rule.Failed, detail: "drops no capabilities", path: path}}},
		{name: "drops some", doc: doc(`["NET_RAW","cap_sys_admin"]`),
			want: map[string]expectA{"app": {status: rule.Failed, detail: `container "app" drops NET_RAW, SYS_ADMIN but not ALL`, path: path}}},
		{name: "drops ALL", doc: doc(`["ALL"]`),
			want: map[string]expectA{"app": {status: rule.Passed, detail: `container "app" drops ALL capabilities`}}},
		{name: "drops all in lower case", doc: doc(`["all"]`),
			want: map[string]expectA{"app": {status: rule.Passed, detail: "drops ALL"}}},
		{name: "drops CAP_ALL among others", doc: doc(`["NET_RAW","CAP_ALL"]`),
			want: map[string]expectA{"app": {status: rule.Passed, detail: "drops ALL"}}},
		{name: "applies on Fargate", doc: `{"family":"f","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","cpu":"256","memory":"512",
			"containerDefinitions":[{"name":"app","image":"x"}]}`,
			want: map[string]expectA{"app": {status: rule.Failed, detail: "drops no capabilities", path: path}}},
		{name: "Windows task", doc: `{"family":"f","runtimePlatform":{"operatingSystemFamily":"WINDOWS_SERVER_2019_CORE"},
			"containerDefinitions":[{"name":"iis","image":"x"}]}`,
			want: map[string]expectA{"iis": {status: rule.NotApplicable, detail: "Windows task"}}},
	})
}
