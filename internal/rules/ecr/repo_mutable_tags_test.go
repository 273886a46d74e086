package ecr

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestRepoMutableTags(t *testing.T) {
	excl := func(filters string) string {
		return `"imageTagMutability":"IMMUTABLE_WITH_EXCLUSION","imageTagMutabilityExclusionFilters":[` + filters + `],`
	}
	f := func(s string) string { return `{"filter":"` + s + `","filterType":"WILDCARD"}` }
	allow := func(p ...string) func(*rule.Settings) {
		return func(s *rule.Settings) { s.AllowedImmutabilityExclusions = p }
	}
	runCases(t, RepoMutableTags, []testCase{
		{name: "immutable", docs: docs(repoDoc(`"imageTagMutability":"IMMUTABLE",`, "")), want: rule.Passed},
		{name: "mutable", docs: docs(repoDoc(`"imageTagMutability":"MUTABLE",`, "")), want: rule.Failed,
			path: "imageTagMutability"},
		{name: "absent means the MUTABLE default", docs: docs(repoDoc("", "")), want: rule.Failed,
			detail: "default is MUTABLE"},
		{name: "mutable with exclusion", docs: docs(repoDoc(`"imageTagMutability":"MUTABLE_WITH_EXCLUSION",`+
			`"imageTagMutabilityExclusionFilters":[`+f("release-*")+`],`, "")), want: rule.Failed, detail: `"release-*"`},
		{name: "exclusion equal to an allowed pattern", docs: docs(repoDoc(excl(f("sha256-*")+","+f("*.sig")), "")),
			want: rule.Passed},
		{name: "exclusion narrower than an allowed pattern", docs: docs(repoDoc(excl(f("sha256-abc*")), "")),
			want: rule.Passed},
		{name: "literal exclusion matched by an allowed pattern", docs: docs(repoDoc(excl(f("v1.2.sig")), "")),
			want: rule.Passed},
		{name: "exclusion wider than every allowed pattern", docs: docs(repoDoc(excl(f("*")), "")),
			want: rule.Failed, detail: `"*"`},
		{name: "exclusion outside the allowed list", docs: docs(repoDoc(excl(f("sha256-*")+","+f("latest")), "")),
			want: rule.Failed, detail: `"latest"`, path: "imageTagMutabilityExclusionFilters/1/filter"},
		{name: "no exclusion filters", docs: docs(repoDoc(excl(""), "")), want: rule.Passed},
		{name: "empty allowed list allows no exclusion", docs: docs(repoDoc(excl(f("sha256-*")), "")),
			settings: allow(), want: rule.Failed},
		{name: "question mark in the allowed pattern cannot cover a star", docs: docs(repoDoc(excl(f("v1*")), "")),
			settings: allow("v1?"), want: rule.Failed},
		{name: "question mark in the allowed pattern covers a literal", docs: docs(repoDoc(excl(f("v1x")), "")),
			settings: allow("v1?"), want: rule.Passed},
		{name: "only a policy given", docs: docs(policyOnly), want: rule.NotAvailable, detail: "describe-repositories"},
	})
}

func TestExclusionAllowed(t *testing.T) {
	tests := []struct {
		filter  string
		allowed []string
		want    bool
	}{
		{"sha256-*", []string{"sha256-*"}, true},
		{"sha256-1234.sig", []string{"sha256-*"}, true},
		{"sha256-*.att", []string{"sha256-*"}, true},
		{"*", []string{"sha256-*", "*.sig"}, false},
		{"*-dev", []string{"*.sig"}, false},
		{"sha*", []string{"sha256-*"}, false},
		{"x.sig", []string{"*.sig"}, true},
		{"x.sig", nil, false},
	}
	for _, tt := range tests {
		if got := exclusionAllowed(tt.filter, tt.allowed); got != tt.want {
			t.Errorf("exclusionAllowed(%q, %q) = %v, want %v", tt.filter, tt.allowed, got, tt.want)
		}
	}
}
