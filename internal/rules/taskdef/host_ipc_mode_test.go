package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestHostIPCMode(t *testing.T) {
	runCasesA(t, HostIPCMode, []caseA{
		{name: "host", doc: `{"family":"f","ipcMode":"host","containerDefinitions":[{"name":"a","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Failed, detail: "ipcMode is host", path: "ipcMode"}}},
		{name: "task", doc: `{"family":"f","ipcMode":"task","containerDefinitions":[{"name":"a","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Passed, detail: "ipcMode is task, not host"}}},
		{name: "none", doc: `{"family":"f","ipcMode":"none","containerDefinitions":[{"name":"a","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Passed, detail: "ipcMode is none, not host"}}},
		{name: "unset", doc: `{"family":"f","containerDefinitions":[{"name":"a","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Passed, detail: "ipcMode is not set"}}},
	})
}
