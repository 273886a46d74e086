package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestMemoryLimit(t *testing.T) {
	runCasesA(t, MemoryLimit, []caseA{
		{name: "no limit anywhere", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x"}]}`,
			want: map[string]expectA{"app": {status: rule.Failed,
				detail: `container "app" sets no memory limit and the task sets no task-level memory`, path: "containerDefinitions/0/memory"}}},
		{name: "EC2 with only memoryReservation", doc: `{"family":"f","requiresCompatibilities":["EC2"],
			"containerDefinitions":[{"name":"app","image":"x","memoryReservation":256}]}`,
			want: map[string]expectA{"app": {status: rule.Failed,
				detail: `container "app" sets only memoryReservation (256 MiB), a soft limit`, path: "containerDefinitions/0/memory"}}},
		{name: "container hard limit", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x","memory":512,"memoryReservation":256}]}`,
			want: map[string]expectA{"app": {status: rule.Passed, detail: "hard memory limit of 512 MiB"}}},
		{name: "Fargate task-level memory without container memory", doc: `{"family":"f","requiresCompatibilities":["FARGATE"],
			"networkMode":"awsvpc","cpu":"256","memory":"512","containerDefinitions":[{"name":"app","image":"x"}]}`,
			want: map[string]expectA{"app": {status: rule.Passed, detail: `container "app" is capped by the task-level memory limit (512)`}}},
		{name: "task-level memory written as a number", doc: `{"family":"f","memory":1024,"containerDefinitions":[{"name":"app","image":"x"}]}`,
			want: map[string]expectA{"app": {status: rule.Passed, detail: "task-level memory limit (1024)"}}},
		{name: "task-level memory zero sets nothing", doc: `{"family":"f","memory":"0","containerDefinitions":[{"name":"app","image":"x"}]}`,
			want: map[string]expectA{"app": {status: rule.Failed, detail: "sets no memory limit", path: "containerDefinitions/0/memory"}}},
		{name: "one container unlimited", doc: `{"family":"f","containerDefinitions":[
			{"name":"app","image":"x","memory":512},{"name":"worker","image":"y","memoryReservation":128}]}`,
			want: map[string]expectA{
				"app":    {status: rule.Passed, detail: "512 MiB"},
				"worker": {status: rule.Failed, detail: `container "worker" sets only memoryReservation (128 MiB)`, path: "containerDefinitions/1/memory"},
			}},
	})
}
