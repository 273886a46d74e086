package taskdef

import (
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// HostIPCMode fails a task that shares the instance's IPC namespace.
var HostIPCMode = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.host-ipc-mode",
		Title: "Task shares the host's IPC namespace",
		Description: "With ipcMode host the containers share the instance's System V IPC objects and POSIX message " +
			"queues, so they can read or tamper with shared memory of processes outside the task.",
		Remediation: "Remove \"ipcMode\": \"host\" from the task definition, or set \"ipcMode\": \"task\" if the " +
			"containers of the task must share IPC resources with each other.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
		Severity:       rule.High,
		Profile:        rule.Baseline,
		Level:          rule.TaskLevel,
		Related:        []string{"PSS baseline: Host Namespaces (hostIPC)"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
			"https://kubernetes.io/docs/concepts/security/pod-security-standards/",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		switch t.Def.IpcMode {
		case ecstypes.IpcModeHost:
			return one(fail("ipcMode is host: the task's containers share the instance's IPC namespace", "ipcMode"))
		case "":
			return one(pass("ipcMode is not set: each container has its own IPC namespace"))
		}
		return one(pass("ipcMode is " + string(t.Def.IpcMode) + ", not host"))
	},
})
