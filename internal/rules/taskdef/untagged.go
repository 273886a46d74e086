package taskdef

import (
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Untagged fails a task definition without the tags that route its findings.
var Untagged = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.untagged",
		Title: "Task definition is not tagged",
		Description: "Tags name the owner and environment of a task definition; without them a finding cannot be " +
			"routed to the team that can fix it. With requiredTags configured, each key must be present (keys are " +
			"case-sensitive); with none, the revision needs at least one tag whose key does not start with \"aws:\", " +
			"as Security Hub's ECS.15 checks by default. A file that says nothing of the revision's tags (a bare " +
			"task definition) cannot be judged.",
		Remediation: "Register the revision with tags (`aws ecs register-task-definition ... --tags key=owner,value=TEAM`) " +
			"or tag it: `aws ecs tag-resource --resource-arn TASK_DEFINITION_ARN --tags key=owner,value=TEAM`.",
		RemediationURL:    "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-15",
		Severity:          rule.Low,
		Profile:           rule.Restricted,
		Level:             rule.TaskLevel,
		SecurityControlID: "ECS.15",
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-15",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-using-tags.html",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		if !t.TagsKnown {
			return one(unavailable("the input says nothing of the revision's tags: scan the output of " +
				"`aws ecs describe-task-definition --include TAGS`, or register-task-definition input with tags"))
		}
		return one(rule.Untagged(t.Tags, env.Settings.RequiredTags, "tags"))
	},
})
