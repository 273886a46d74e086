package taskdef

import (
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// HostPIDMode fails a task that shares the instance's process namespace.
var HostPIDMode = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.host-pid-mode",
		Title: "Task shares the host's process namespace",
		Description: "With pidMode host the containers see every process on the instance, including other tasks and " +
			"the ECS agent, and a root process can signal, trace or read the environment of them.",
		Remediation: "Remove \"pidMode\": \"host\" from the task definition, or set \"pidMode\": \"task\" if the " +
			"containers of the task must see each other's processes.",
		RemediationURL:    "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-3",
		Severity:          rule.High,
		Profile:           rule.Baseline,
		Level:             rule.TaskLevel,
		SecurityControlID: "ECS.3",
		Related: []string{
			"AWS Config ecs-task-definition-pid-mode-check",
			"PSS baseline: Host Namespaces (hostPID)",
		},
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-3",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
			"https://kubernetes.io/docs/concepts/security/pod-security-standards/",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		switch t.Def.PidMode {
		case ecstypes.PidModeHost:
			return one(fail("pidMode is host: the task's containers share the instance's process namespace", "pidMode"))
		case "":
			return one(pass("pidMode is not set: each container has its own process namespace"))
		}
		return one(pass("pidMode is " + string(t.Def.PidMode) + ", not host"))
	},
})
