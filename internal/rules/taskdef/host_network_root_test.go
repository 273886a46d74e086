package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestHostNetworkRoot(t *testing.T) {
	runCasesA(t, HostNetworkRoot, []caseA{
		{name: "host with absent user", doc: `{"family":"f","networkMode":"host","containerDefinitions":[{"name":"agent","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Failed,
				detail: `networkMode is host and 1 container(s) are neither privileged nor non-root: container "agent" sets no user, so it runs as the image's USER`,
				path:   "containerDefinitions/0/user"}}},
		{name: "host names every offender", doc: `{"family":"f","networkMode":"host","containerDefinitions":[
			{"name":"ok","image":"x","user":"1000"},{"name":"a","image":"y","user":"0"},{"name":"b","image":"z","user":"root:adm"}]}`,
			want: map[string]expectA{"": {status: rule.Failed,
				detail: `2 container(s) are neither privileged nor non-root: container "a" runs as user "0", which is root; container "b" runs as user "root:adm"`,
				path:   "containerDefinitions/1/user"}}},
		{name: "host with privileged root passes, as ECS.1 did", doc: `{"family":"f","networkMode":"host","containerDefinitions":[
			{"name":"agent","image":"x","privileged":true},{"name":"app","image":"y","user":"1000:0"}]}`,
			want: map[string]expectA{"": {status: rule.Passed, detail: `privileged: "agent", reported by task.privileged-container`}}},
		{name: "host with privileged false and root", doc: `{"family":"f","networkMode":"host","containerDefinitions":[{"name":"agent","image":"x","privileged":false,"user":"root"}]}`,
			want: map[string]expectA{"": {status: rule.Failed, detail: `container "agent" runs as user "root"`, path: "containerDefinitions/0/user"}}},
		{name: "host with non-root users", doc: `{"family":"f","networkMode":"host","containerDefinitions":[{"name":"agent","image":"x","user":"nobody"}]}`,
			want: map[string]expectA{"": {status: rule.Passed, detail: "networkMode is host and every container runs as a non-root user"}}},
		{name: "awsvpc with root", doc: `{"family":"f","networkMode":"awsvpc","containerDefinitions":[{"name":"app","image":"x","user":"0"}]}`,
			want: map[string]expectA{"": {status: rule.Passed, detail: "networkMode is awsvpc, not host"}}},
		{name: "unset network mode", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Passed, detail: "networkMode is not set"}}},
	})
}
