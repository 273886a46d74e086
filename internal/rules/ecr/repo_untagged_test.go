package ecr

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestRepoUntagged(t *testing.T) {
	require := func(keys ...string) func(*rule.Settings) {
		return func(s *rule.Settings) { s.RequiredTags = keys }
	}
	runCases(t, RepoUntagged, []testCase{
		{name: "nothing required", docs: docs(repoDoc("", "")), want: rule.Passed, detail: "no required tag keys"},
		{name: "tags unknown", docs: docs(repoDoc("", "")), settings: require("owner"), want: rule.NotAvailable,
			detail: "list-tags-for-resource"},
		{name: "all present on the repository", docs: docs(repoDoc(`"tags":[{"Key":"owner","Value":"payments"},{"Key":"env","Value":"prod"}],`, "")),
			settings: require("owner", "env"), want: rule.Passed},
		{name: "one missing, bundle tags", docs: docs(repoDoc("", `"tags":{"team/app":[{"Key":"owner","Value":"payments"}]}`)),
			settings: require("owner", "env"), want: rule.Failed, detail: "env", path: "tags"},
		{name: "repository absent from bundle tags has none", docs: docs(repoDoc("", `"tags":{"other":[{"Key":"owner","Value":"x"}]}`)),
			settings: require("owner"), want: rule.Failed},
		{name: "keys are case-sensitive", docs: docs(repoDoc(`"tags":[{"Key":"Owner","Value":"payments"}],`, "")),
			settings: require("owner"), want: rule.Failed},
		{name: "empty value still carries the key", docs: docs(repoDoc(`"tags":[{"Key":"owner","Value":""}],`, "")),
			settings: require("owner"), want: rule.Passed},
	})
}
