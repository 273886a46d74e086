package ecs

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/testenv/ruletest"
)

const host = `"containerInstanceArn":"arn:aws:ecs:us-east-1:111122223333:container-instance/prod/abc","ec2InstanceId":"i-0abc"`

func TestHostPrivilegedAllowed(t *testing.T) {
	runCases(t, HostPrivilegedAllowed, "containerInstances", []testCase{
		{name: "advertised", fields: host + `,"attributes":[{"name":"ecs.os-type","value":"linux"},{"name":"` + PrivilegedCapability + `"}]`,
			want: rule.Failed, detail: "starts privileged containers", path: "attributes"},
		{name: "disabled", fields: host + `,"attributes":[{"name":"ecs.os-type","value":"linux"}]`, want: rule.Passed,
			detail: "ECS_DISABLE_PRIVILEGED"},
		{name: "attributes not described", fields: host, want: rule.NotAvailable},
	})
}

func TestHostPrivilegedAllowedNamesTheTasks(t *testing.T) {
	hs := ruletest.Resources[*model.ContainerInstance](t, `{"containerInstances":[{`+host+`,"attributes":[{"name":"`+PrivilegedCapability+`"}]}]}`)
	hs[0].PrivilegedTasks = []string{"arn:aws:ecs:us-east-1:111122223333:task/prod/t1"}
	got := HostPrivilegedAllowed.Check(hs[0], &rule.Env{Settings: rule.DefaultSettings(), Now: ruletest.Now})
	if len(got) != 1 || got[0].Status != rule.Failed || !strings.Contains(got[0].Detail, "task/prod/t1") {
		t.Fatalf("got %v, want a FAILED result naming the privileged task", got)
	}
}
