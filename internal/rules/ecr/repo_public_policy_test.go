package ecr

import (
	"encoding/json"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// withPolicy is a describe-repositories document whose repository carries the policy text.
func withPolicy(policy string) string {
	b, _ := json.Marshal(policy)
	return repoDoc(`"policyText":`+string(b)+`,`, "")
}

// star is a policy with one Allow statement for principal "*" and the given condition block (JSON, may be empty).
func star(condition string) string {
	s := `{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":"*",` +
		`"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]`
	if condition != "" {
		s += `,"Condition":` + condition
	}
	return s + `}]}`
}

func TestRepoPublicPolicy(t *testing.T) {
	runCases(t, RepoPublicPolicy, []testCase{
		{name: "public pull, pretty-printed as the CLI returns it", docs: docs(withPolicy(
			"{\n  \"Version\" : \"2008-10-17\",\n  \"Statement\" : [ {\n    \"Sid\" : \"open pull\",\n    \"Effect\" : \"Allow\",\n" +
				"    \"Principal\" : \"*\",\n    \"Action\" : [ \"ecr:BatchGetImage\", \"ecr:BatchCheckLayerAvailability\" ]\n  } ]\n}")),
			want: rule.Failed, detail: `"open pull" (ecr:BatchGetImage, ecr:BatchCheckLayerAvailability)`, path: "policyText"},
		{name: "single action string, no Sid", docs: docs(withPolicy(
			`{"Version":"2012-10-17","Id":"x","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]}`)),
			want: rule.Failed, detail: "#0"},
		{name: "account statement then public statement", docs: docs(withPolicy(
			`{"Statement":[{"Sid":"Account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"ecr:*"},` +
				`{"Sid":"Everyone","Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]}`)),
			want: rule.Failed, detail: `"Everyone"`},
		{name: "statement as an object, AWS star", docs: docs(withPolicy(
			`{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"ecr:*"}}`)), want: rule.Failed},
		{name: "star inside a principal list", docs: docs(withPolicy(
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::444455556666:root","*"]},"Action":"ecr:BatchGetImage"}]}`)),
			want: rule.Failed},
		{name: "NotPrincipal with Allow grants to everyone else", docs: docs(withPolicy(
			`{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"ecr:BatchGetImage"}]}`)),
			want: rule.Failed},
		{name: "named account only", docs: docs(withPolicy(
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::444455556666:root"]},"Action":"ecr:BatchGetImage"}]}`)),
			want: rule.Passed, detail: "no statement"},
		{name: "deny for everyone", docs: docs(withPolicy(
			`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:DeleteRepository"}]}`)), want: rule.Passed},
		{name: "organization condition", docs: docs(withPolicy(star(`{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}`))),
			want: rule.Passed, detail: "aws:PrincipalOrgID"},
		{name: "condition keys are case-insensitive", docs: docs(withPolicy(star(`{"StringEquals":{"AWS:SourceAccount":"111122223333"}}`))),
			want: rule.Passed},
		{name: "account ID written as a number", docs: docs(withPolicy(star(`{"StringEquals":{"aws:PrincipalAccount":111122223333}}`))),
			want: rule.Passed},
		{name: "negated operator restricts nothing", docs: docs(withPolicy(star(`{"StringNotEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}`))),
			want: rule.Failed},
		{name: "IfExists restricts nothing", docs: docs(withPolicy(star(`{"StringEqualsIfExists":{"aws:SourceAccount":"111122223333"}}`))),
			want: rule.Failed},
		{name: "wildcard organization", docs: docs(withPolicy(star(`{"StringLike":{"aws:PrincipalOrgID":"o-*"}}`))),
			want: rule.Failed},
		{name: "one wildcard among the values", docs: docs(withPolicy(star(`{"StringEquals":{"aws:SourceAccount":["111122223333","*"]}}`))),
			want: rule.Failed},
		{name: "role ARN pattern within one account", docs: docs(withPolicy(star(`{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/ci-*"}}`))),
			want: rule.Passed},
		{name: "role ARN pattern in any account", docs: docs(withPolicy(star(`{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/ci"}}`))),
			want: rule.Failed},
		{name: "organization path with wildcard below the org", docs: docs(withPolicy(star(`{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]}}`))),
			want: rule.Passed},
		{name: "source IP range", docs: docs(withPolicy(star(`{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`))), want: rule.Passed},
		{name: "source IP everywhere", docs: docs(withPolicy(star(`{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`))), want: rule.Failed},
		{name: "unrelated condition key", docs: docs(withPolicy(star(`{"StringLike":{"aws:UserAgent":"docker/*"}}`))),
			want: rule.Failed},
		{name: "policy that does not parse", docs: docs(withPolicy(`{"Statement":[{"Effect":"Allow",`)),
			want: rule.NotAvailable, detail: "cannot be read"},
		{name: "no policy (absent from the bundle list)", docs: docs(repoDoc("", `"repositoryPolicies":[]`)),
			want: rule.Passed, detail: "no repository policy"},
		{name: "get-repository-policy output alone", docs: docs(`{"registryId":"111122223333","repositoryName":"team/app","policyText":` +
			`"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:BatchGetImage\"}]}"}`),
			want: rule.Failed},
		{name: "policy not in the input", docs: docs(repoDoc("", "")), want: rule.NotAvailable, detail: "get-repository-policy"},
	})
}
