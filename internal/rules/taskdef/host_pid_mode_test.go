package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestHostPIDMode(t *testing.T) {
	runCasesA(t, HostPIDMode, []caseA{
		{name: "host", doc: `{"family":"f","pidMode":"host","containerDefinitions":[{"name":"a","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Failed, detail: "pidMode is host", path: "pidMode"}}},
		{name: "task", doc: `{"family":"f","pidMode":"task","containerDefinitions":[{"name":"a","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Passed, detail: "pidMode is task, not host"}}},
		{name: "unset", doc: `{"family":"f","containerDefinitions":[{"name":"a","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Passed, detail: "pidMode is not set"}}},
	})
}
