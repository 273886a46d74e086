package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestAddedCapabilities(t *testing.T) {
	doc := func(add string) string {
		return `{"family":"f","containerDefinitions":[{"name":"app","image":"x","linuxParameters":{"capabilities":{"add":` + add + `}}}]}`
	}
	const add0 = "containerDefinitions/0/linuxParameters/capabilities/add/0"
	noneAllowed := rule.DefaultSettings()
	noneAllowed.AllowedCapabilities = nil
	chownAllowed := rule.DefaultSettings()
	chownAllowed.AllowedCapabilities = []string{"NET_BIND_SERVICE", "CHOWN"}
	runCasesA(t, AddedCapabilities, []caseA{
		{name: "SYS_ADMIN is high", doc: doc(`["SYS_ADMIN"]`),
			want: map[string]expectA{"app": {status: rule.Failed, detail: `container "app" adds SYS_ADMIN (allowed: NET_BIND_SERVICE); high risk: SYS_ADMIN`,
				path: add0, severity: rule.High}}},
		{name: "lower case name", doc: doc(`["net_admin"]`),
			want: map[string]expectA{"app": {status: rule.Failed, detail: "adds NET_ADMIN", path: add0, severity: rule.High}}},
		{name: "CAP_ prefix", doc: doc(`["CAP_SYS_PTRACE"]`),
			want: map[string]expectA{"app": {status: rule.Failed, detail: "high risk: SYS_PTRACE", path: add0, severity: rule.High}}},
		{name: "lower case prefix and ALL", doc: doc(`["cap_all"]`),
			want: map[string]expectA{"app": {status: rule.Failed, detail: "high risk: ALL", path: add0, severity: rule.High}}},
		{name: "every high-risk name", doc: doc(`["ALL","SYS_ADMIN","NET_ADMIN","SYS_MODULE","SYS_PTRACE","SYS_RAWIO","DAC_READ_SEARCH","BPF","PERFMON","SYS_BOOT","MAC_ADMIN","MAC_OVERRIDE"]`),
			want: map[string]expectA{"app": {status: rule.Failed,
				detail: "high risk: ALL, SYS_ADMIN, NET_ADMIN, SYS_MODULE, SYS_PTRACE, SYS_RAWIO, DAC_READ_SEARCH, BPF, PERFMON, SYS_BOOT, MAC_ADMIN, MAC_OVERRIDE",
				path:   add0, severity: rule.High}}},
		{name: "other capability is medium", doc: doc(`["NET_BIND_SERVICE","CHOWN"]`),
			want: map[string]expectA{"app": {status: rule.Failed, detail: `container "app" adds CHOWN (allowed: NET_BIND_SERVICE)`,
				path: "containerDefinitions/0/linuxParameters/capabilities/add/1", severity: rule.Medium}}},
		{name: "path points at the high-risk entry", doc: doc(`["CHOWN","KILL","sys_module"]`),
			want: map[string]expectA{"app": {status: rule.Failed, detail: "adds CHOWN, KILL, SYS_MODULE",
				path: "containerDefinitions/0/linuxParameters/capabilities/add/2", severity: rule.High}}},
		{name: "duplicates named once", doc: doc(`["SYS_ADMIN","cap_sys_admin"]`),
			want: map[string]expectA{"app": {status: rule.Failed, detail: "adds SYS_ADMIN (allowed", path: add0, severity: rule.High}}},
		{name: "NET_BIND_SERVICE is allowed by default", doc: doc(`["NET_BIND_SERVICE"]`),
			want: map[string]expectA{"app": {status: rule.Passed, detail: "adds only allowed capabilities: NET_BIND_SERVICE"}}},
		{name: "allowed in any spelling", doc: doc(`["cap_net_bind_service"]`),
			want: map[string]expectA{"app": {status: rule.Passed, detail: "NET_BIND_SERVICE"}}},
		{name: "empty add list", doc: doc(`[]`),
			want: map[string]expectA{"app": {status: rule.Passed, detail: `container "app" adds no Linux capabilities`}}},
		{name: "no linuxParameters", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x"}]}`,
			want: map[string]expectA{"app": {status: rule.Passed, detail: "adds no Linux capabilities"}}},
		{name: "empty allowed list", doc: doc(`["NET_BIND_SERVICE"]`), settings: noneAllowed,
			want: map[string]expectA{"app": {status: rule.Failed, detail: "adds NET_BIND_SERVICE (allowed: none)", path: add0, severity: rule.Medium}}},
		{name: "configured allowed list", doc: doc(`["chown"]`), settings: chownAllowed,
			want: map[string]expectA{"app": {status: rule.Passed, detail: "CHOWN"}}},
		{name: "applies on Fargate", doc: `{"family":"f","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","cpu":"256","memory":"512",
			"containerDefinitions":[{"name":"app","image":"x","linuxParameters":{"capabilities":{"add":["SYS_PTRACE"]}}}]}`,
			want: map[string]expectA{"app": {status: rule.Failed, detail: "SYS_PTRACE", path: add0, severity: rule.High}}},
		{name: "per container", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x"},
			{"name":"debug","image":"y","linuxParameters":{"capabilities":{"add":["SYS_PTRACE"]}}}]}`,
			want: map[string]expectA{
				"app":   {status: rule.Passed, detail: "adds no"},
				"debug": {status: rule.Failed, detail: `container "debug"`, path: "containerDefinitions/1/linuxParameters/capabilities/add/0", severity: rule.High},
			}},
	})
}
