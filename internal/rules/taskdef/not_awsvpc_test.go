package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestNotAwsvpc(t *testing.T) {
	runCasesA(t, NotAwsvpc, []caseA{
		{name: "bridge", doc: `{"family":"f","networkMode":"bridge","containerDefinitions":[{"name":"a","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Failed, detail: "bridge, not awsvpc", path: "networkMode"}}},
		{name: "absent means bridge", doc: `{"family":"f","containerDefinitions":[{"name":"a","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Failed, detail: "not set (bridge)", path: "networkMode"}}},
		{name: "host", doc: `{"family":"f","networkMode":"host","containerDefinitions":[{"name":"a","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Failed, detail: "host", path: "networkMode"}}},
		{name: "none", doc: `{"family":"f","networkMode":"none","containerDefinitions":[{"name":"a","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Failed, path: "networkMode"}}},
		{name: "awsvpc", doc: `{"family":"f","networkMode":"awsvpc","containerDefinitions":[{"name":"a","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Passed, detail: "awsvpc"}}},
		{name: "windows", doc: `{"family":"f","runtimePlatform":{"operatingSystemFamily":"WINDOWS_SERVER_2022_CORE"},"containerDefinitions":[{"name":"a","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.NotApplicable, detail: "Windows"}}},
		{name: "plainly windows without runtimePlatform", doc: `{"family":"f","containerDefinitions":[{"name":"a","image":"mcr.microsoft.com/windows/servercore:ltsc2022"}]}`,
			want: map[string]expectA{"": {status: rule.NotApplicable, detail: "runs the Windows image"}}},
	})
}
