package ecs

import (
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// ServiceUntagged fails a service without the tags that route its findings.
var ServiceUntagged = registerService(&ServiceRule{
	Meta: rule.Meta{
		ID:    "service.untagged",
		Title: "Service is not tagged",
		Description: "Tags name the owner and environment of a service; without them a finding cannot be routed to " +
			"the team that can fix it. With requiredTags configured, each key must be present (keys are " +
			"case-sensitive); with none, the service needs at least one tag whose key does not start with \"aws:\", " +
			"as Security Hub's ECS.13 checks by default.",
		Remediation:       "Tag the service: `aws ecs tag-resource --resource-arn SERVICE_ARN --tags key=owner,value=TEAM`.",
		RemediationURL:    "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-13",
		Severity:          rule.Low,
		Profile:           rule.Restricted,
		SecurityControlID: "ECS.13",
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-13",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-using-tags.html",
		},
	},
	Check: func(s *model.Service, env *rule.Env) []rule.Result {
		if !s.TagsKnown {
			return notAvailable("the input says nothing of the tags of service " + s.ID() + ": describe it with " +
				"`aws ecs describe-services --include TAGS`")
		}
		return untagged(s.Tags, env.Settings.RequiredTags, "tags")
	},
})
