package taskdef

import (
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// NotAwsvpc fails a Linux task that does not get its own network interface.
var NotAwsvpc = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.not-awsvpc",
		Title: "Linux task does not use awsvpc networking",
		Description: "In awsvpc mode each task has its own elastic network interface, so security groups and VPC " +
			"flow logs apply to the task itself. In bridge mode (the default on EC2 when networkMode is absent) and " +
			"host mode the tasks share the instance's interfaces and security groups, and none mode has no network " +
			"to control. Windows tasks are not applicable (ECS supports awsvpc for them only in some setups).",
		Remediation: "Set \"networkMode\": \"awsvpc\" in the task definition and give the service a network " +
			"configuration with subnets and security groups.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html",
		Severity:       rule.Low,
		Profile:        rule.Restricted,
		Level:          rule.TaskLevel,
		Related:        []string{"AWS Config ecs-awsvpc-networking-enabled"},
		References: []string{
			"https://docs.aws.amazon.com/config/latest/developerguide/ecs-awsvpc-networking-enabled.html",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		if fam := taskOS(t); fam.windows {
			return one(inapplicable("Windows task (" + fam.why + "): the rule applies to Linux tasks only"))
		}
		switch t.Def.NetworkMode {
		case ecstypes.NetworkModeAwsvpc:
			return one(pass("networkMode is awsvpc: each task has its own network interface"))
		case "":
			return one(fail("networkMode is not set (bridge): the tasks share the instance's network interfaces", "networkMode"))
		}
		return one(fail("networkMode is "+string(t.Def.NetworkMode)+", not awsvpc", "networkMode"))
	},
})
