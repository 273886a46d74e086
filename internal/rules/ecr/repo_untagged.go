package ecr

import (
	"fmt"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// RepoUntagged fails a repository that lacks a configured required tag key.
var RepoUntagged = registerRepo(&RepoRule{
	Meta: rule.Meta{
		ID:    "repo.untagged",
		Title: "Repository lacks required tags",
		Description: "Tags name the owner, environment and data classification of a repository; without them a " +
			"finding cannot be routed to the team that can fix it, and tag-based access control and cost " +
			"allocation miss the repository.",
		Remediation: "Add the missing tags: `aws ecr tag-resource --resource-arn REPOSITORY_ARN --tags " +
			"Key=owner,Value=TEAM`. The required keys are set with requiredTags in the configuration.",
		RemediationURL:    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-using-tags.html",
		Severity:          rule.Low,
		Profile:           rule.Restricted,
		SecurityControlID: "ECR.4",
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecr-controls.html#ecr-4",
			"https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-using-tags.html",
		},
	},
	Check: func(r *model.Repository, env *rule.Env) []rule.Result {
		required := env.Settings.RequiredTags
		if len(required) == 0 {
			return pass("no required tag keys are configured")
		}
		if !r.TagsKnown {
			return notAvailable(fmt.Sprintf("the input says nothing of the tags of repository %q: add the output of "+
				"`aws ecr list-tags-for-resource --resource-arn ARN` as \"tags\" on the repository object or in the "+
				"describe-repositories bundle ({\"%s\": [{\"Key\": ..., \"Value\": ...}]})", r.Name(), r.Name()))
		}
		var missing []string
		for _, k := range required {
			// Tag keys are case-sensitive in AWS: "Owner" does not satisfy "owner".
			if _, ok := r.Tags[k]; !ok {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			return fail(fmt.Sprintf("missing required tag keys: %s", strings.Join(missing, ", ")), "tags")
		}
		return pass(fmt.Sprintf("carries every required tag key (%s)", strings.Join(required, ", ")))
	},
})
