package taskdef

import (
	"fmt"
	"strings"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// BlockingLogMode fails a container whose log driver delivers in blocking mode. Since June 2025 ECS defaults an
// absent mode to non-blocking unless the account setting defaultLogDriverMode says blocking, so an absent mode
// fails only when that setting is known to be blocking.
var BlockingLogMode = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.blocking-log-mode",
		Title: "Container logs in blocking mode",
		Description: "In blocking mode a container's writes to stdout and stderr wait for the log driver: when the " +
			"log destination is slow or unreachable the application stalls, and its health checks fail with it. " +
			"An outage of the logging path then becomes an outage of the service.",
		Remediation: "Set \"mode\": \"non-blocking\" under logConfiguration.options (with a \"max-buffer-size\" such as " +
			"\"25m\"), or remove an explicit \"mode\": \"blocking\" and keep the account setting defaultLogDriverMode " +
			"at non-blocking.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_logconfiguration",
		Severity:       rule.Low,
		Profile:        rule.Restricted,
		Level:          rule.ContainerLevel,
		Related:        []string{"Prowler ecs_task_definitions_logging_block_mode"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_logconfiguration",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-account-settings.html",
			"https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LogConfiguration.html",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		accountMode := strings.ToLower(strings.TrimSpace(envSettings(env).DefaultLogDriverMode))
		return perContainer(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			name := t.ContainerName(i)
			lc := c.LogConfiguration
			if lc == nil || lc.LogDriver == "" {
				return inapplicable(fmt.Sprintf("container %q has no log driver (task.no-log-configuration reports on that)", name))
			}
			mode, set := lc.Options["mode"]
			mode = strings.ToLower(strings.TrimSpace(mode))
			switch {
			case mode == "blocking":
				return fail(fmt.Sprintf("container %q sets log driver %s with mode \"blocking\"", name, string(lc.LogDriver)),
					containerPath(i, "logConfiguration", "options", "mode"))
			case mode != "":
				return pass(fmt.Sprintf("container %q sets log driver %s with mode %q", name, string(lc.LogDriver), mode))
			case accountMode == "blocking":
				return fail(fmt.Sprintf("container %q sets log driver %s without a mode, and the account setting "+
					"defaultLogDriverMode is blocking", name, string(lc.LogDriver)), containerPath(i, "logConfiguration", "options"))
			case accountMode == "non-blocking":
				return pass(fmt.Sprintf("container %q sets log driver %s without a mode; the account setting "+
					"defaultLogDriverMode is non-blocking", name, string(lc.LogDriver)))
			}
			what := "without a mode"
			if set {
				what = "with an empty mode"
			}
			return pass(fmt.Sprintf("container %q sets log driver %s %s, which ECS treats as non-blocking since June 2025 "+
				"(the account setting defaultLogDriverMode is not known; if it is blocking, so is this container)",
				name, string(lc.LogDriver), what))
		})
	},
})
