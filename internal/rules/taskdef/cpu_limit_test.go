package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestCPULimit(t *testing.T) {
	const win = `"runtimePlatform":{"operatingSystemFamily":"WINDOWS_SERVER_2022_CORE"}`
	runCasesA(t, CPULimit, []caseA{
		{name: "no cpu anywhere", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Failed, detail: "task-level cpu is not set, so nothing caps the task's CPU use", path: "cpu"}}},
		{name: "container cpu is a share on Linux", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x","cpu":512},{"name":"b","image":"y"}]}`,
			want: map[string]expectA{"": {status: rule.Failed, detail: `the cpu of containers "app" is a relative share on Linux, not a limit`, path: "cpu"}}},
		{name: "task-level cpu units", doc: `{"family":"f","cpu":"256","containerDefinitions":[{"name":"app","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Passed, detail: "task-level cpu is 256"}}},
		{name: "task-level cpu as a number", doc: `{"family":"f","cpu":1024,"containerDefinitions":[{"name":"app","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Passed, detail: "task-level cpu is 1024"}}},
		{name: "task-level cpu in vCPU", doc: `{"family":"f","cpu":"1 vCPU","containerDefinitions":[{"name":"app","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Passed, detail: "1 vCPU"}}},
		{name: "task-level cpu zero sets nothing", doc: `{"family":"f","cpu":"0","containerDefinitions":[{"name":"app","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Failed, detail: "not set", path: "cpu"}}},
		{name: "Windows with cpu on every container", doc: `{"family":"f",` + win + `,"containerDefinitions":[{"name":"iis","image":"x","cpu":1024}]}`,
			want: map[string]expectA{"": {status: rule.Passed, detail: "Windows enforces as an absolute limit"}}},
		{name: "Windows with a container without cpu", doc: `{"family":"f",` + win + `,"containerDefinitions":[
			{"name":"iis","image":"x","cpu":1024},{"name":"log","image":"y"}]}`,
			want: map[string]expectA{"": {status: rule.Failed, detail: `Windows containers "log" set no cpu limit`, path: "cpu"}}},
	})
}
