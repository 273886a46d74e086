package ecr

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestRepoScanOnPushDisabled(t *testing.T) {
	const on, off = `"imageScanningConfiguration":{"scanOnPush":true},`, `"imageScanningConfiguration":{"scanOnPush":false},`
	reg := func(scanType, freq, filter string) string {
		s := `"scanningConfiguration":{"scanType":"` + scanType + `","rules":[`
		if freq != "" {
			s += `{"scanFrequency":"` + freq + `","repositoryFilters":[{"filter":"` + filter + `","filterType":"WILDCARD"}]}`
		}
		return s + `]}`
	}
	runCases(t, RepoScanOnPushDisabled, []testCase{
		{name: "offline, flag on", docs: docs(repoDoc(on, "")), want: rule.Passed,
			detail: "get-registry-scanning-configuration"},
		{name: "offline, flag off", docs: docs(repoDoc(off, "")), want: rule.Failed,
			detail: "get-registry-scanning-configuration", path: "imageScanningConfiguration/scanOnPush"},
		{name: "offline, flag absent", docs: docs(repoDoc("", "")), want: rule.Failed},
		{name: "basic, flag on", docs: docs(repoDoc(on, reg("BASIC", "", ""))), want: rule.Passed},
		{name: "basic, flag off, no rule", docs: docs(repoDoc(off, reg("BASIC", "", ""))), want: rule.Failed},
		{name: "basic, registry rule for every repository", docs: docs(repoDoc(off, reg("BASIC", "SCAN_ON_PUSH", "*"))),
			want: rule.Passed, detail: `"*"`},
		{name: "basic, filter without wildcard is a substring match", docs: docs(repoDoc(off, reg("BASIC", "SCAN_ON_PUSH", "app"))),
			want: rule.Passed},
		{name: "basic, prefix filter", docs: docs(repoDoc(off, reg("BASIC", "SCAN_ON_PUSH", "team/*"))), want: rule.Passed},
		{name: "basic, wildcard filter is anchored", docs: docs(repoDoc(off, reg("BASIC", "SCAN_ON_PUSH", "*team"))),
			want: rule.Failed},
		{name: "basic, manual rule scans nothing", docs: docs(repoDoc(off, reg("BASIC", "MANUAL", "*"))), want: rule.Failed},
		{name: "enhanced, continuous rule", docs: docs(repoDoc(off, reg("ENHANCED", "CONTINUOUS_SCAN", "team"))),
			want: rule.Passed},
		{name: "enhanced, scan on push rule", docs: docs(repoDoc(off, reg("ENHANCED", "SCAN_ON_PUSH", "*app"))),
			want: rule.Passed},
		{name: "enhanced ignores the repository flag", docs: docs(repoDoc(on, reg("ENHANCED", "CONTINUOUS_SCAN", "prod-*"))),
			want: rule.Failed, detail: "ignored under enhanced scanning"},
		{name: "enhanced without rules", docs: docs(repoDoc(off, reg("ENHANCED", "", ""))), want: rule.Failed},
		{name: "only a policy given", docs: docs(policyOnly), want: rule.NotAvailable},
	})
}

// TestScanFilterMatches checks the matching table of the ECR user guide (image-scanning-filters.html).
func TestScanFilterMatches(t *testing.T) {
	repos := []string{"prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"}
	table := map[string][]bool{
		"prod":      {true, true, true, true, true},
		"*prod":     {true, true, false, false, false},
		"prod*":     {true, false, true, false, true},
		"*prod*":    {true, true, true, true, true},
		"prod*repo": {false, false, true, false, true},
	}
	for filter, want := range table {
		for i, repo := range repos {
			if got := scanFilterMatches(filter, repo); got != want[i] {
				t.Errorf("filter %q on %q: got %v, want %v", filter, repo, got, want[i])
			}
		}
	}
}
