package taskdef

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// RootUser fails a Linux container that runs as root, or whose user the task definition leaves to the image.
var RootUser = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.root-user",
		Title: "Container runs as root",
		Description: "A process running as root keeps root's power over everything the container can reach, so a " +
			"container escape, a kernel bug or a writable host mount turns into root on the instance. Without a user " +
			"in the task definition the image decides, and most images run as root.",
		Remediation: "Set \"user\" in the container definition to a non-root UID that exists in the image, for example " +
			"\"user\": \"1000:1000\". \"root\", \"0\", \"root:<group>\" and \"0:<group>\" are root; a non-zero UID with " +
			"group 0 (\"1000:0\") is not.",
		RemediationURL:    "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-20",
		Severity:          rule.Medium,
		Profile:           rule.Restricted,
		Level:             rule.ContainerLevel,
		SecurityControlID: "ECS.20",
		Related: []string{
			"AWS Config ecs-task-definition-nonroot-user",
			"AWS Config ecs-task-definition-linux-user-non-root",
			"PSS restricted: Running as Non-root user (runAsNonRoot)",
		},
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-20",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html",
			"https://kubernetes.io/docs/concepts/security/pod-security-standards/",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		return linuxOnly(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			u := parseLinuxUser(c.User)
			if img, ok := t.ImageUsers[aws.ToString(c.Image)]; ok && !u.set {
				return imageUser(t.ContainerName(i), img, containerPath(i, "user"))
			}
			detail := fmt.Sprintf("container %q %s", t.ContainerName(i), u.describe())
			if u.root {
				return fail(detail, containerPath(i, "user"))
			}
			return pass(detail)
		})
	},
})
