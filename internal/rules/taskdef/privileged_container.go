package taskdef

import (
	"fmt"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// PrivilegedContainer fails a container that runs privileged.
var PrivilegedContainer = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.privileged-container",
		Title: "Container runs privileged",
		Description: "A privileged container has every Linux capability and full access to the host's devices: " +
			"a compromise of the container is a compromise of the instance and of every task on it.",
		Remediation: "Remove \"privileged\": true from the container definition. If the container needs one " +
			"specific kernel feature, add only that capability under linuxParameters.capabilities.add.",
		RemediationURL:    "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-4",
		Severity:          rule.High,
		Profile:           rule.Baseline,
		Level:             rule.ContainerLevel,
		SecurityControlID: "ECS.4",
		Related:           []string{"AWS Config ecs-containers-nonprivileged", "PSS baseline: Privileged Containers"},
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-4",
			"https://kubernetes.io/docs/concepts/security/pod-security-standards/",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		return perContainer(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			if c.Privileged != nil && *c.Privileged {
				return fail(fmt.Sprintf("container %q sets privileged: true", t.ContainerName(i)), containerPath(i, "privileged"))
			}
			return pass("privileged is not set")
		})
	},
})
