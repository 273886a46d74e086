package taskdef

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// SharedTaskExecutionRole fails a task whose application role is also its execution role.
var SharedTaskExecutionRole = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.shared-task-execution-role",
		Title: "Task role is also the task execution role",
		Description: "The execution role is what the ECS agent uses to pull images, write logs and read the task's " +
			"secrets; the task role is what the application's code gets. One role for both hands the application " +
			"every secret and registry the agent can reach, and the agent every permission the application needs.",
		Remediation: "Create a separate IAM role for the application with only the permissions its code uses, set " +
			"it as \"taskRoleArn\", and keep \"executionRoleArn\" for a role holding only what the agent needs " +
			"(AmazonECSTaskExecutionRolePolicy plus access to the task's own secrets).",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-iam-roles.html",
		Severity:       rule.Low,
		Profile:        rule.Restricted,
		Level:          rule.TaskLevel,
		Related:        []string{"Checkov CKV_AWS_249"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-iam-roles.html",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		task := strings.TrimSpace(aws.ToString(t.Def.TaskRoleArn))
		exec := strings.TrimSpace(aws.ToString(t.Def.ExecutionRoleArn))
		switch {
		case task == "" && exec == "":
			return one(inapplicable("the task has neither a task role nor an execution role"))
		case task == "":
			return one(pass("the task has an execution role and no task role"))
		case exec == "":
			return one(pass("the task has a task role and no execution role"))
		case sameRole(task, exec):
			return one(fail(fmt.Sprintf("taskRoleArn and executionRoleArn name the same role (%s)", task), "taskRoleArn"))
		}
		return one(pass("the task role and the execution role are different roles"))
	},
})

// sameRole compares two role references the way IAM identifies roles: by account and role name, ignoring the
// role's path and the name's case (IAM role names are unique without regard to case). taskRoleArn may also be a
// bare role name, which is then taken to be in the same account.
func sameRole(a, b string) bool {
	accA, nameA := roleIdentity(a)
	accB, nameB := roleIdentity(b)
	if accA != "" && accB != "" && accA != accB {
		return false
	}
	return strings.EqualFold(nameA, nameB)
}

func roleIdentity(ref string) (account, name string) {
	if a, ok := model.ParseARN(ref); ok {
		res := a.Resource
		if i := strings.LastIndex(res, "/"); i >= 0 {
			res = res[i+1:]
		}
		return a.Account, res
	}
	return "", ref[strings.LastIndex(ref, "/")+1:]
}
