package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestHostNetworkMode(t *testing.T) {
	runCasesA(t, HostNetworkMode, []caseA{
		{name: "host", doc: `{"family":"f","networkMode":"host","containerDefinitions":[{"name":"a","image":"x"},{"name":"b","image":"y"}]}`,
			want: map[string]expectA{"": {status: rule.Failed, detail: "networkMode is host", path: "networkMode"}}},
		{name: "awsvpc", doc: `{"family":"f","networkMode":"awsvpc","containerDefinitions":[{"name":"a","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Passed, detail: "networkMode is awsvpc"}}},
		{name: "bridge", doc: `{"family":"f","networkMode":"bridge","containerDefinitions":[{"name":"a","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Passed, detail: "networkMode is bridge"}}},
		{name: "none", doc: `{"family":"f","networkMode":"none","containerDefinitions":[{"name":"a","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Passed, detail: "networkMode is none"}}},
		{name: "unset", doc: `{"family":"f","containerDefinitions":[{"name":"a","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Passed, detail: "networkMode is not set (bridge on Linux"}}},
	})
}
