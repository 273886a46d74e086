package ecr

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestRepoNoLifecyclePolicy(t *testing.T) {
	const lifecycle = `{\"rules\":[{\"rulePriority\":1,\"selection\":{\"tagStatus\":\"untagged\",\"countType\":\"sinceImagePushed\",\"countUnit\":\"days\",\"countNumber\":14},\"action\":{\"type\":\"expire\"}}]}`
	runCases(t, RepoNoLifecyclePolicy, []testCase{
		{name: "policy on the repository object", docs: docs(repoDoc(`"lifecyclePolicyText":"`+lifecycle+`",`, "")),
			want: rule.Passed},
		{name: "policy in the bundle", docs: docs(repoDoc("", `"lifecyclePolicies":[{"repositoryName":"team/app","lifecyclePolicyText":"`+lifecycle+`"}]`)),
			want: rule.Passed},
		{name: "repository missing from the bundle list", docs: docs(repoDoc("", `"lifecyclePolicies":[]`)),
			want: rule.Failed, path: "lifecyclePolicyText"},
		{name: "empty policy text", docs: docs(repoDoc(`"lifecyclePolicyText":"",`, "")), want: rule.Failed},
		{name: "get-lifecycle-policy output alone", docs: docs(`{"registryId":"111122223333","repositoryName":"team/app","lifecyclePolicyText":"` + lifecycle + `"}`),
			want: rule.Passed},
		{name: "not in the input", docs: docs(repoDoc("", "")), want: rule.NotAvailable, detail: "get-lifecycle-policy"},
	})
}
