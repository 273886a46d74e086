package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestWritableRootFilesystem(t *testing.T) {
	runCasesA(t, WritableRootFilesystem, []caseA{
		{name: "absent", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x"}]}`,
			want: map[string]expectA{"app": {status: rule.Failed, detail: `container "app" does not set readonlyRootFilesystem`,
				path: "containerDefinitions/0/readonlyRootFilesystem"}}},
		{name: "false", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x","readonlyRootFilesystem":false}]}`,
			want: map[string]expectA{"app": {status: rule.Failed, detail: "readonlyRootFilesystem: false",
				path: "containerDefinitions/0/readonlyRootFilesystem"}}},
		{name: "true", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x","readonlyRootFilesystem":true}]}`,
			want: map[string]expectA{"app": {status: rule.Passed, detail: "readonlyRootFilesystem: true"}}},
		{name: "writable sidecar", doc: `{"family":"f","containerDefinitions":[
			{"name":"app","image":"x","readonlyRootFilesystem":true},{"name":"envoy","image":"y"}]}`,
			want: map[string]expectA{
				"app":   {status: rule.Passed, detail: "true"},
				"envoy": {status: rule.Failed, detail: `container "envoy"`, path: "containerDefinitions/1/readonlyRootFilesystem"},
			}},
		{name: "Windows task", doc: `{"family":"f","runtimePlatform":{"operatingSystemFamily":"WINDOWS_SERVER_2022_FULL"},
			"containerDefinitions":[{"name":"iis","image":"x"}]}`,
			want: map[string]expectA{"iis": {status: rule.NotApplicable, detail: "Windows task"}}},
	})
}
