package ecr

import (
	"fmt"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// RepoNoLifecyclePolicy fails a repository without a lifecycle policy.
var RepoNoLifecyclePolicy = registerRepo(&RepoRule{
	Meta: rule.Meta{
		ID:    "repo.no-lifecycle-policy",
		Title: "Repository has no lifecycle policy",
		Description: "Without a lifecycle policy old and untagged images pile up: outdated, vulnerable images stay " +
			"available to be deployed, every one of them keeps raising scan findings, and storage costs grow.",
		Remediation: "Set a lifecycle policy that expires untagged and old images: `aws ecr put-lifecycle-policy " +
			"--repository-name NAME --lifecycle-policy-text file://policy.json`.",
		RemediationURL:    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html",
		Severity:          rule.Medium,
		Profile:           rule.Restricted,
		SecurityControlID: "ECR.3",
		Related:           []string{"AWS Config ecr-private-lifecycle-policy-configured", "Prowler ecr_repositories_lifecycle_policy_enabled"},
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecr-controls.html#ecr-3",
			"https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html",
		},
	},
	Check: func(r *model.Repository, _ *rule.Env) []rule.Result {
		if !r.LifecycleKnown {
			return notAvailable(fmt.Sprintf("the input says nothing of the lifecycle policy of repository %q: add the "+
				"output of `aws ecr get-lifecycle-policy --repository-name %s`, or a \"lifecyclePolicies\" list in the "+
				"describe-repositories bundle (a repository missing from that list has none)", r.Name(), r.Name()))
		}
		if strings.TrimSpace(r.LifecyclePolicy) == "" {
			return fail("the repository has no lifecycle policy", "lifecyclePolicyText")
		}
		return pass("the repository has a lifecycle policy")
	},
})
