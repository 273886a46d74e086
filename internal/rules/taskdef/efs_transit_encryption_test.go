package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestEFSTransitEncryption(t *testing.T) {
	task := func(volumes string) []string {
		return docsOf(`{"family":"f","containerDefinitions":[{"name":"app","image":"x"}],"volumes":` + volumes + `}`)
	}
	runResultCases(t, EFSTransitEncryption, []resultCase{
		{name: "disabled", docs: task(`[{"name":"data","efsVolumeConfiguration":{"fileSystemId":"fs-1","transitEncryption":"DISABLED"}}]`),
			want: map[string]expected{"": {status: rule.Failed, path: "volumes/0/efsVolumeConfiguration/transitEncryption"}}},
		{name: "absent means disabled", docs: task(`[{"name":"data","efsVolumeConfiguration":{"fileSystemId":"fs-1"}}]`),
			want: map[string]expected{"": {status: rule.Failed}}},
		{name: "second of two", docs: task(`[{"name":"a","efsVolumeConfiguration":{"fileSystemId":"fs-1","transitEncryption":"ENABLED"}},{"name":"scratch","host":{}},{"name":"b","efsVolumeConfiguration":{"fileSystemId":"fs-2"}}]`),
			want: map[string]expected{"": {status: rule.Failed, path: "volumes/2/efsVolumeConfiguration/transitEncryption"}}},
		{name: "enabled", docs: task(`[{"name":"data","efsVolumeConfiguration":{"fileSystemId":"fs-1","transitEncryption":"ENABLED","authorizationConfig":{"iam":"ENABLED"}}}]`),
			want: map[string]expected{"": {status: rule.Passed}}},
		{name: "no EFS volume", docs: task(`[{"name":"scratch","host":{}}]`),
			want: map[string]expected{"": {status: rule.NotApplicable}}},
		{name: "no volumes", docs: task(`[]`), want: map[string]expected{"": {status: rule.NotApplicable}}},
	})
}
