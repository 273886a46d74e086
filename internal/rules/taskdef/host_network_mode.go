package taskdef

import (
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// HostNetworkMode fails a task that uses the instance's network namespace.
var HostNetworkMode = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.host-network-mode",
		Title: "Task uses the host network mode",
		Description: "In host network mode the task's containers share the instance's network stack: they can bind the " +
			"instance's ports, see its traffic and interfaces, reach services listening on its loopback, and bypass " +
			"the per-task security groups that awsvpc gives.",
		Remediation: "Change \"networkMode\" from \"host\" to \"awsvpc\" (or \"bridge\" on EC2) and, with awsvpc, " +
			"control the task's traffic with its own security groups.",
		RemediationURL:    "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-17",
		Severity:          rule.Medium,
		Profile:           rule.Baseline,
		Level:             rule.TaskLevel,
		SecurityControlID: "ECS.17",
		Related:           []string{"PSS baseline: Host Namespaces (hostNetwork)"},
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-17",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/networking-networkmode-host.html",
			"https://kubernetes.io/docs/concepts/security/pod-security-standards/",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		if t.Def.NetworkMode == ecstypes.NetworkModeHost {
			return one(fail("networkMode is host: the task shares the instance's network namespace", "networkMode"))
		}
		return one(pass("networkMode is " + networkModeLabel(t)))
	},
})
