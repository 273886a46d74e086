package taskdef

import (
	"fmt"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// WritableRootFilesystem fails a Linux container whose root filesystem is writable.
var WritableRootFilesystem = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.writable-root-filesystem",
		Title: "Container root filesystem is writable",
		Description: "A writable root filesystem lets an intruder drop tools, replace binaries and persist changes for " +
			"the life of the container. A read-only root keeps the image as built and confines writes to the volumes " +
			"you declare. Profile restricted, default MEDIUM: Security Hub marks ECS.5 HIGH, but a writable root is " +
			"hardening, not an escalation or exposure on its own, and it fails almost every container in real task " +
			"definitions, where a HIGH on everything drowns the findings that are; SecurityControlId still maps it " +
			"to ECS.5.",
		Remediation: "Set \"readonlyRootFilesystem\": true in the container definition, and mount a volume at each " +
			"path the process must write (for example an empty task volume at /tmp).",
		RemediationURL:    "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-5",
		Severity:          rule.Medium,
		Profile:           rule.Restricted,
		Level:             rule.ContainerLevel,
		SecurityControlID: "ECS.5",
		Related:           []string{"AWS Config ecs-containers-readonly-access"},
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-5",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		return linuxOnly(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			name := t.ContainerName(i)
			switch {
			case c.ReadonlyRootFilesystem == nil:
				return fail(fmt.Sprintf("container %q does not set readonlyRootFilesystem, so its root filesystem is writable", name),
					containerPath(i, "readonlyRootFilesystem"))
			case !*c.ReadonlyRootFilesystem:
				return fail(fmt.Sprintf("container %q sets readonlyRootFilesystem: false", name), containerPath(i, "readonlyRootFilesystem"))
			}
			return pass(fmt.Sprintf("container %q sets readonlyRootFilesystem: true", name))
		})
	},
})
