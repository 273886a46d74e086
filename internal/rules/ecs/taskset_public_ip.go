package ecs

import (
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// TaskSetPublicIP fails a task set whose tasks get a public IP address.
var TaskSetPublicIP = registerTaskSet(&TaskSetRule{
	Meta: rule.Meta{
		ID:    "taskset.public-ip",
		Title: "Task set assigns public IP addresses to its tasks",
		Description: "A task set (a CodeDeploy blue/green or external deployment of a service) carries its own " +
			"network configuration; with assignPublicIp ENABLED each of its tasks is reachable from the internet " +
			"as far as its security groups allow, whatever the service's own setting says.",
		Remediation: "Create the task set with assignPublicIp DISABLED (`aws ecs create-task-set ... " +
			"--network-configuration 'awsvpcConfiguration={...,assignPublicIp=DISABLED}'`) and delete the exposed one; " +
			"a task set's network configuration cannot be updated.",
		RemediationURL:    "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-16",
		Severity:          rule.High,
		Profile:           rule.Baseline,
		SecurityControlID: "ECS.16",
		Related:           []string{"AWS Config ecs-task-set-assign-public-ip-disabled"},
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-16",
			"https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskSet.html",
		},
	},
	Check: func(t *model.TaskSet, env *rule.Env) []rule.Result {
		return publicIP(t.Set.NetworkConfiguration, "task set")
	},
})
