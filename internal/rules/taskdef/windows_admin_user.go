package taskdef

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// WindowsAdminUser fails a Windows container that runs as ContainerAdministrator, or whose user the task definition
// leaves to the image.
var WindowsAdminUser = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.windows-admin-user",
		Title: "Windows container runs as ContainerAdministrator",
		Description: "ContainerAdministrator is the administrator account inside a Windows container: a compromised " +
			"process can change anything in the container and has the best odds of escaping it. Without a user in the " +
			"task definition the image decides, and many Windows images default to ContainerAdministrator.",
		Remediation: "Set \"user\" in the container definition to a non-administrator account that exists in the image, " +
			"for example \"user\": \"ContainerUser\", and give that account access to the files the process needs.",
		RemediationURL:    "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-21",
		Severity:          rule.Medium,
		Profile:           rule.Restricted,
		Level:             rule.ContainerLevel,
		SecurityControlID: "ECS.21",
		Related:           []string{"AWS Config ecs-task-definition-windows-user-non-admin"},
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-21",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		return windowsOnly(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			name := t.ContainerName(i)
			user := strings.TrimSpace(aws.ToString(c.User))
			switch {
			case user == "":
				return fail(fmt.Sprintf("container %q sets no user, so it runs as the image's user: that may be "+
					"ContainerAdministrator, and the task definition does not prevent it", name), containerPath(i, "user"))
			case strings.EqualFold(user, "ContainerAdministrator"):
				return fail(fmt.Sprintf("container %q runs as user %q, the container's administrator", name, user), containerPath(i, "user"))
			}
			return pass(fmt.Sprintf("container %q runs as user %q, not ContainerAdministrator", name, user))
		})
	},
})
