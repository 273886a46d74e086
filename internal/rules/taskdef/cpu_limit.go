package taskdef

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// CPULimit fails a task without task-level cpu. On Linux a container's cpu is a relative share (CpuShares), not a
// cap; on Windows it is an absolute limit, so a Windows task whose every container sets cpu passes.
var CPULimit = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.cpu-limit",
		Title: "Task CPU is not limited",
		Description: "Without task-level cpu nothing caps the task's CPU: container cpu on Linux is only a relative " +
			"share, so a busy or compromised task can take every core of the instance from the other tasks and the " +
			"ECS agent.",
		Remediation: "Set task-level \"cpu\" in the task definition (in CPU units, e.g. \"256\", or as vCPUs, " +
			"e.g. \"1 vCPU\"); it is a hard limit for the whole task.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
		Severity:       rule.Medium,
		Profile:        rule.Restricted,
		Level:          rule.TaskLevel,
		Related:        []string{"Amazon ECS task and container security best practices"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		if cpu := taskLimit(t.Def.Cpu); cpu != "" {
			return one(pass(fmt.Sprintf("task-level cpu is %s, a hard limit for the whole task", cpu)))
		}
		var withCPU, withoutCPU []string
		for i, c := range t.Def.ContainerDefinitions {
			if c.Cpu > 0 {
				withCPU = append(withCPU, strconv.Quote(t.ContainerName(i)))
			} else {
				withoutCPU = append(withoutCPU, strconv.Quote(t.ContainerName(i)))
			}
		}
		if taskOS(t).windows {
			if len(withoutCPU) == 0 {
				return one(pass("task-level cpu is not set, but this is a Windows task and every container " +
					"sets cpu, which Windows enforces as an absolute limit"))
			}
			return one(fail(fmt.Sprintf("task-level cpu is not set and Windows containers %s set no cpu limit of "+
				"their own", strings.Join(withoutCPU, ", ")), "cpu"))
		}
		detail := "task-level cpu is not set, so nothing caps the task's CPU use"
		if len(withCPU) > 0 {
			detail += fmt.Sprintf(" (the cpu of containers %s is a relative share on Linux, not a limit)", strings.Join(withCPU, ", "))
		}
		return one(fail(detail, "cpu"))
	},
})
