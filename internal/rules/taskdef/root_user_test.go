package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestRootUser(t *testing.T) {
	runCasesA(t, RootUser, []caseA{
		{name: "user 0", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x","user":"0"}]}`,
			want: map[string]expectA{"app": {status: rule.Failed, detail: `container "app" runs as user "0", which is root`, path: "containerDefinitions/0/user"}}},
		{name: "user 0:0", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x","user":"0:0"}]}`,
			want: map[string]expectA{"app": {status: rule.Failed, detail: `user "0:0", which is root`, path: "containerDefinitions/0/user"}}},
		{name: "root with a group", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x","user":"root:wheel"}]}`,
			want: map[string]expectA{"app": {status: rule.Failed, detail: `user "root:wheel", which is root`, path: "containerDefinitions/0/user"}}},
		{name: "group 0 only is not root", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x","user":"1000:0"}]}`,
			want: map[string]expectA{"app": {status: rule.Passed, detail: "user 1000 is not root (only the group is 0)"}}},
		{name: "absent user falls back to the image", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x"}]}`,
			want: map[string]expectA{"app": {status: rule.Failed,
				detail: `container "app" sets no user, so it runs as the image's USER: that may be non-root, but the task definition does not guarantee it`,
				path:   "containerDefinitions/0/user"}}},
		{name: "empty user", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x","user":""}]}`,
			want: map[string]expectA{"app": {status: rule.Failed, detail: "image's USER", path: "containerDefinitions/0/user"}}},
		{name: "nobody", doc: `{"family":"f","containerDefinitions":[{"name":"app","image":"x","user":"nobody"}]}`,
			want: map[string]expectA{"app": {status: rule.Passed, detail: `user "nobody", which is not root`}}},
		{name: "root sidecar next to a non-root app", doc: `{"family":"f","containerDefinitions":[
			{"name":"app","image":"x","user":"1000:1000"},{"name":"proxy","image":"y","user":"root"}]}`,
			want: map[string]expectA{
				"app":   {status: rule.Passed, detail: `"1000:1000"`},
				"proxy": {status: rule.Failed, detail: `container "proxy" runs as user "root"`, path: "containerDefinitions/1/user"},
			}},
		{name: "Windows task", doc: `{"family":"f","runtimePlatform":{"operatingSystemFamily":"WINDOWS_SERVER_2019_FULL"},
			"containerDefinitions":[{"name":"iis","image":"x"},{"name":"agent","image":"y","user":"0"}]}`,
			want: map[string]expectA{
				"iis":   {status: rule.NotApplicable, detail: "Windows task"},
				"agent": {status: rule.NotApplicable, detail: "Windows task"},
			}},
		{name: "Windows image without platform", doc: `{"family":"f",
			"containerDefinitions":[{"name":"agent","image":"y","user":"0"},{"name":"iis","image":"mcr.microsoft.com/windows/servercore/iis"}]}`,
			want: map[string]expectA{
				"iis":   {status: rule.NotApplicable, detail: `Windows task (no runtimePlatform, and container "iis" runs the Windows image`},
				"agent": {status: rule.NotApplicable, detail: "applies to Linux containers only"},
			}},
		{name: "gMSA credential spec alone stays Linux", doc: `{"family":"f",
			"containerDefinitions":[{"name":"app","image":"x","credentialSpecs":["credentialspecdomainless:arn:aws:s3:::b/s.json"]}]}`,
			want: map[string]expectA{"app": {status: rule.Failed, detail: `container "app"`, path: "containerDefinitions/0/user"}}},
		{name: "explicit Linux platform", doc: `{"family":"f","runtimePlatform":{"operatingSystemFamily":"LINUX"},
			"containerDefinitions":[{"name":"app","image":"x","user":"0"}]}`,
			want: map[string]expectA{"app": {status: rule.Failed, detail: "which is root", path: "containerDefinitions/0/user"}}},
	})
}
