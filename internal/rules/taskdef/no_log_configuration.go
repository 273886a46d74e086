package taskdef

import (
	"fmt"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// NoLogConfiguration fails a container without a log driver.
var NoLogConfiguration = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.no-log-configuration",
		Title: "Container has no log configuration",
		Description: "Without a log driver the container's output stays on the instance, or is discarded on Fargate, " +
			"so there is no record to investigate an incident with once the task is gone. Profile restricted, " +
			"default MEDIUM: missing logs hamper the response to an incident but open no way in; SecurityControlId " +
			"still maps it to ECS.9.",
		Remediation: "Add a \"logConfiguration\" with a \"logDriver\" to the container definition, for example " +
			"\"logConfiguration\": {\"logDriver\": \"awslogs\", \"options\": {\"awslogs-group\": \"/ecs/<family>\", " +
			"\"awslogs-region\": \"<region>\", \"awslogs-stream-prefix\": \"<container>\"}}.",
		RemediationURL:    "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-9",
		Severity:          rule.Medium,
		Profile:           rule.Restricted,
		Level:             rule.ContainerLevel,
		SecurityControlID: "ECS.9",
		Related:           []string{"AWS Config ecs-task-definition-log-configuration"},
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-9",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		return perContainer(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			name := t.ContainerName(i)
			switch {
			case c.LogConfiguration == nil:
				return fail(fmt.Sprintf("container %q has no logConfiguration, so its output is not shipped anywhere", name),
					containerPath(i, "logConfiguration"))
			case c.LogConfiguration.LogDriver == "":
				return fail(fmt.Sprintf("container %q has a logConfiguration without a logDriver", name),
					containerPath(i, "logConfiguration", "logDriver"))
			}
			return pass(fmt.Sprintf("container %q logs with the %s driver", name, string(c.LogConfiguration.LogDriver)))
		})
	},
})
