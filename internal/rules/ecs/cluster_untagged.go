package ecs

import (
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// ClusterUntagged fails a cluster without the tags that route its findings.
var ClusterUntagged = registerCluster(&ClusterRule{
	Meta: rule.Meta{
		ID:    "cluster.untagged",
		Title: "Cluster is not tagged",
		Description: "Tags name the owner and environment of a cluster; without them a finding cannot be routed to " +
			"the team that can fix it. With requiredTags configured, each key must be present (keys are " +
			"case-sensitive); with none, the cluster needs at least one tag whose key does not start with \"aws:\", " +
			"as Security Hub's ECS.14 checks by default.",
		Remediation:       "Tag the cluster: `aws ecs tag-resource --resource-arn CLUSTER_ARN --tags key=owner,value=TEAM`.",
		RemediationURL:    "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-14",
		Severity:          rule.Low,
		Profile:           rule.Restricted,
		SecurityControlID: "ECS.14",
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-14",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-using-tags.html",
		},
	},
	Check: func(c *model.Cluster, env *rule.Env) []rule.Result {
		if !c.TagsKnown {
			return notAvailable("the input says nothing of the tags of cluster " + c.ID() + ": describe it with " +
				"`aws ecs describe-clusters --include TAGS`")
		}
		return untagged(c.Tags, env.Settings.RequiredTags, "tags")
	},
})
