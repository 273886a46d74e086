package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestHostPort(t *testing.T) {
	task := func(top, ports string) []string {
		return docsOf(`{"family":"f"` + top + `,"containerDefinitions":[{"name":"app","image":"x","portMappings":` + ports + `},{"name":"idle","image":"y"}]}`)
	}
	failed := func(path string) map[string]expected {
		return map[string]expected{"app": {status: rule.Failed, path: path}, "idle": {status: rule.Passed}}
	}
	passed := map[string]expected{"app": {status: rule.Passed}, "idle": {status: rule.Passed}}
	runResultCases(t, HostPort, []resultCase{
		{name: "host mode with hostPort", docs: task(`,"networkMode":"host"`, `[{"containerPort":80,"hostPort":80}]`), want: failed("containerDefinitions/0/portMappings/0")},
		{name: "host mode without hostPort still binds", docs: task(`,"networkMode":"host"`, `[{"containerPort":8080}]`), want: failed("containerDefinitions/0/portMappings/0")},
		{name: "host mode without ports", docs: task(`,"networkMode":"host"`, `[]`), want: passed},
		{name: "bridge with fixed hostPort", docs: task(`,"networkMode":"bridge"`, `[{"containerPort":80,"hostPort":0},{"containerPort":443,"hostPort":443}]`),
			want: failed("containerDefinitions/0/portMappings/1/hostPort")},
		{name: "bridge with dynamic ports", docs: task(`,"networkMode":"bridge"`, `[{"containerPort":80,"hostPort":0},{"containerPort":81}]`), want: passed},
		{name: "unset on EC2 is bridge", docs: task(``, `[{"containerPort":80,"hostPort":80}]`), want: failed("containerDefinitions/0/portMappings/0/hostPort")},
		{name: "unset with EC2 compatibility", docs: task(`,"requiresCompatibilities":["EC2"]`, `[{"containerPort":80,"hostPort":80}]`), want: failed("")},
		{name: "unset on Fargate-only is awsvpc", docs: task(`,"requiresCompatibilities":["FARGATE"]`, `[{"containerPort":80,"hostPort":80}]`), want: passed},
		{name: "awsvpc", docs: task(`,"networkMode":"awsvpc"`, `[{"containerPort":80,"hostPort":80}]`), want: passed},
		{name: "none", docs: task(`,"networkMode":"none"`, `[]`), want: passed},
	})
}
