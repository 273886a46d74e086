package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestWindowsAdminUser(t *testing.T) {
	const win = `"runtimePlatform":{"operatingSystemFamily":"WINDOWS_SERVER_2022_CORE"}`
	runCasesA(t, WindowsAdminUser, []caseA{
		{name: "absent user", doc: `{"family":"f",` + win + `,"containerDefinitions":[{"name":"iis","image":"x"}]}`,
			want: map[string]expectA{"iis": {status: rule.Failed, detail: `container "iis" sets no user`, path: "containerDefinitions/0/user"}}},
		{name: "empty user", doc: `{"family":"f",` + win + `,"containerDefinitions":[{"name":"iis","image":"x","user":""}]}`,
			want: map[string]expectA{"iis": {status: rule.Failed, detail: "sets no user", path: "containerDefinitions/0/user"}}},
		{name: "ContainerAdministrator", doc: `{"family":"f",` + win + `,"containerDefinitions":[{"name":"iis","image":"x","user":"ContainerAdministrator"}]}`,
			want: map[string]expectA{"iis": {status: rule.Failed, detail: `runs as user "ContainerAdministrator"`, path: "containerDefinitions/0/user"}}},
		{name: "any case", doc: `{"family":"f",` + win + `,"containerDefinitions":[{"name":"iis","image":"x","user":"CONTAINERADMINISTRATOR"}]}`,
			want: map[string]expectA{"iis": {status: rule.Failed, detail: "CONTAINERADMINISTRATOR", path: "containerDefinitions/0/user"}}},
		{name: "ContainerUser", doc: `{"family":"f",` + win + `,"containerDefinitions":[{"name":"iis","image":"x","user":"ContainerUser"}]}`,
			want: map[string]expectA{"iis": {status: rule.Passed, detail: `runs as user "ContainerUser", not ContainerAdministrator`}}},
		{name: "one admin among two", doc: `{"family":"f",` + win + `,"containerDefinitions":[
			{"name":"iis","image":"x","user":"ContainerUser"},{"name":"log","image":"y","user":"containeradministrator"}]}`,
			want: map[string]expectA{
				"iis": {status: rule.Passed, detail: "ContainerUser"},
				"log": {status: rule.Failed, detail: `container "log"`, path: "containerDefinitions/1/user"},
			}},
		{name: "Linux task without platform", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x"}]}`,
			want: map[string]expectA{"app": {status: rule.NotApplicable, detail: "Linux task"}}},
		{name: "Linux task with platform", doc: `{"family":"f","runtimePlatform":{"operatingSystemFamily":"LINUX"},"containerDefinitions":[{"name":"app","image":"x"}]}`,
			want: map[string]expectA{"app": {status: rule.NotApplicable, detail: "Linux task"}}},
	})
}
