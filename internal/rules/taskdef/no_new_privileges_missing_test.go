package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestNoNewPrivilegesMissing(t *testing.T) {
	task := func(top string) []string {
		return docsOf(`{"family":"f"` + top + `,"containerDefinitions":[
			{"name":"app","image":"x"},
			{"name":"safe","image":"y","dockerSecurityOptions":["no-new-privileges"]},
			{"name":"colon","image":"y","dockerSecurityOptions":["NO-NEW-PRIVILEGES:true"]},
			{"name":"off","image":"y","dockerSecurityOptions":["no-new-privileges:false"]}]}`)
	}
	ec2 := map[string]expected{
		"app":   {status: rule.Failed, path: "containerDefinitions/0/dockerSecurityOptions"},
		"safe":  {status: rule.Passed},
		"colon": {status: rule.Passed},
		"off":   {status: rule.Failed},
	}
	na := map[string]expected{"app": {status: rule.NotApplicable}, "safe": {status: rule.NotApplicable},
		"colon": {status: rule.NotApplicable}, "off": {status: rule.NotApplicable}}
	runResultCases(t, NoNewPrivilegesMissing, []resultCase{
		{name: "no compatibilities can run on EC2", docs: task(``), want: ec2},
		{name: "EC2", docs: task(`,"requiresCompatibilities":["EC2"]`), want: ec2},
		{name: "EC2 and Fargate", docs: task(`,"requiresCompatibilities":["EC2","FARGATE"]`), want: ec2},
		{name: "external", docs: task(`,"requiresCompatibilities":["EXTERNAL"]`), want: ec2},
		{name: "Fargate only", docs: task(`,"requiresCompatibilities":["FARGATE"]`), want: na},
		{name: "Windows", docs: task(`,"runtimePlatform":{"operatingSystemFamily":"WINDOWS_SERVER_2022_CORE"}`), want: na},
	})
}
