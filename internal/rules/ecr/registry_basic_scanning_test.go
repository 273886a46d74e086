package ecr

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestRegistryBasicScanning(t *testing.T) {
	runCases(t, RegistryBasicScanning, []testCase{
		{name: "basic", docs: docs(`{"registryId":"111122223333","scanningConfiguration":{"scanType":"BASIC","rules":[]}}`),
			want: rule.Failed, path: "scanType"},
		{name: "enhanced", docs: docs(`{"registryId":"111122223333","scanningConfiguration":{"scanType":"ENHANCED","rules":[` +
			`{"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[{"filter":"*","filterType":"WILDCARD"}]}]}}`),
			want: rule.Passed, detail: "ENHANCED"},
		{name: "inside a describe-repositories bundle", docs: docs(repoDoc("", `"registryId":"111122223333","scanningConfiguration":{"scanType":"BASIC"}`)),
			want: rule.Failed},
	})
}
