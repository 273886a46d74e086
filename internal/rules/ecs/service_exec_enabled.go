package ecs

import (
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// ServiceExecEnabled fails a service whose containers accept ECS Exec sessions.
var ServiceExecEnabled = registerService(&ServiceRule{
	Meta: rule.Meta{
		ID:    "service.exec-enabled",
		Title: "Service allows ECS Exec into its containers",
		Description: "With enableExecuteCommand true, anyone allowed ecs:ExecuteCommand on the service's tasks can " +
			"open an interactive shell in its containers, as the container's user, bypassing the deployment " +
			"pipeline; keep it for debugging sessions, not for production services.",
		Remediation: "Turn it off: `aws ecs update-service --cluster CLUSTER --service SERVICE " +
			"--disable-execute-command --force-new-deployment`; when it must stay, limit ecs:ExecuteCommand with " +
			"IAM conditions and log the sessions (cluster.exec-logging-disabled).",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html",
		Severity:       rule.Low,
		Profile:        rule.Restricted,
		Related:        []string{"ECS developer guide: Monitor Amazon ECS containers with ECS Exec"},
		References:     []string{"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html"},
	},
	Check: func(s *model.Service, env *rule.Env) []rule.Result {
		if s.Svc.EnableExecuteCommand {
			return fail("enableExecuteCommand is true: ECS Exec can open a shell in the service's containers", "enableExecuteCommand")
		}
		return pass("enableExecuteCommand is false")
	},
})
