package taskdef

import (
	"fmt"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// NoNewPrivilegesMissing fails a Linux container that can run on EC2 without the no-new-privileges option.
// Fargate does not accept dockerSecurityOptions, so a Fargate-only task is NOT_APPLICABLE.
var NoNewPrivilegesMissing = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.no-new-privileges-missing",
		Title: "Container does not set no-new-privileges",
		Description: "Without no-new-privileges a process in the container can gain privileges through setuid and " +
			"setgid binaries or file capabilities, turning a foothold as an unprivileged user into root inside the " +
			"container.",
		Remediation: "Add \"no-new-privileges\" to the container's dockerSecurityOptions (\"dockerSecurityOptions\": " +
			"[\"no-new-privileges\"]). The option applies to tasks on EC2 and external instances.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_security",
		Severity:       rule.Low,
		Profile:        rule.Restricted,
		Level:          rule.ContainerLevel,
		Related:        []string{"PSS restricted: Privilege Escalation (allowPrivilegeEscalation)"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_security",
			"https://docs.docker.com/reference/cli/docker/container/run/#security-opt",
			"https://kubernetes.io/docs/concepts/security/pod-security-standards/",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		if t.FargateOnly() {
			return perContainer(t, func(int, *ecstypes.ContainerDefinition) rule.Result {
				return inapplicable("Fargate-only task: Fargate does not accept dockerSecurityOptions")
			})
		}
		return linuxOnly(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			name := t.ContainerName(i)
			for _, opt := range c.DockerSecurityOptions {
				key, value := securityOption(opt)
				if key == "no-new-privileges" && (value == "" || value == "true") {
					return pass(fmt.Sprintf("container %q sets no-new-privileges", name))
				}
			}
			return fail(fmt.Sprintf("container %q can run on EC2 and its dockerSecurityOptions lack no-new-privileges", name),
				containerPath(i, "dockerSecurityOptions"))
		})
	},
})
