package taskdef

import (
	"fmt"
	"strconv"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// MemoryLimit fails a container whose memory no hard limit caps: neither the task-level memory nor the container's
// own memory. memoryReservation is a soft limit and does not count.
var MemoryLimit = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.memory-limit",
		Title: "Container memory is not limited",
		Description: "Without a hard memory limit a container can take all the instance's memory, starving the other " +
			"tasks and the ECS agent on it; a leak or a memory-exhaustion attack then becomes an outage of the instance.",
		Remediation: "Set task-level \"memory\" in the task definition (required on Fargate), or a hard \"memory\" limit " +
			"in MiB in the container definition. \"memoryReservation\" alone is only a soft limit.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
		Severity:       rule.Medium,
		Profile:        rule.Restricted,
		Level:          rule.ContainerLevel,
		Related:        []string{"AWS Config ecs-task-definition-memory-hard-limit"},
		References: []string{
			"https://docs.aws.amazon.com/config/latest/developerguide/ecs-task-definition-memory-hard-limit.html",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		taskMemory := taskLimit(t.Def.Memory)
		return perContainer(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			name := t.ContainerName(i)
			switch {
			case c.Memory != nil && *c.Memory > 0:
				return pass(fmt.Sprintf("container %q has a hard memory limit of %s MiB", name, strconv.Itoa(int(*c.Memory))))
			case taskMemory != "":
				return pass(fmt.Sprintf("container %q is capped by the task-level memory limit (%s)", name, taskMemory))
			case c.MemoryReservation != nil && *c.MemoryReservation > 0:
				return fail(fmt.Sprintf("container %q sets only memoryReservation (%s MiB), a soft limit, and the task "+
					"sets no task-level memory: nothing caps its memory", name, strconv.Itoa(int(*c.MemoryReservation))), containerPath(i, "memory"))
			}
			return fail(fmt.Sprintf("container %q sets no memory limit and the task sets no task-level memory: nothing "+
				"caps its memory", name), containerPath(i, "memory"))
		})
	},
})
