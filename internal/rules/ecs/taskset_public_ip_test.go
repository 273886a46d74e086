package ecs

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestTaskSetPublicIP(t *testing.T) {
	const ts = `"id":"ecs-svc/1","taskSetArn":"arn:aws:ecs:us-east-1:111122223333:task-set/prod/web/ecs-svc/1"`
	runCases(t, TaskSetPublicIP, "taskSets", []testCase{
		{name: "enabled", fields: ts + `,"networkConfiguration":{"awsvpcConfiguration":{"subnets":["s"],"assignPublicIp":"ENABLED"}}`,
			want: rule.Failed, detail: "task set", path: "networkConfiguration/awsvpcConfiguration/assignPublicIp"},
		{name: "disabled", fields: ts + `,"networkConfiguration":{"awsvpcConfiguration":{"subnets":["s"],"assignPublicIp":"DISABLED"}}`,
			want: rule.Passed},
		{name: "no network configuration", fields: ts, want: rule.Passed},
	})
}
