package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestInsecureDockerSecurityOptions(t *testing.T) {
	task := func(opts string) []string {
		return docsOf(`{"family":"f","containerDefinitions":[{"name":"app","image":"x","dockerSecurityOptions":` + opts + `},{"name":"plain","image":"y"}]}`)
	}
	var cases []resultCase
	for _, o := range []string{"apparmor:unconfined", "APPARMOR:UNCONFINED", "apparmor=unconfined", "seccomp:unconfined",
		"seccomp=unconfined", "Seccomp=Unconfined", "label:disable", "label=disable", "label:type:spc_t", "label=type:spc_t",
		"systempaths=unconfined"} {
		cases = append(cases, resultCase{name: o, docs: task(`["no-new-privileges","` + o + `"]`),
			want: map[string]expected{"app": {status: rule.Failed, path: "containerDefinitions/0/dockerSecurityOptions/1"}, "plain": {status: rule.Passed}}})
	}
	for _, o := range []string{"no-new-privileges", "apparmor:docker-default", "seccomp:/etc/profile.json", "label:type:container_t",
		"label:level:s0:c100,c200", "credentialspec:file://gmsa.json"} {
		cases = append(cases, resultCase{name: o, docs: task(`["` + o + `"]`),
			want: map[string]expected{"app": {status: rule.Passed}, "plain": {status: rule.Passed}}})
	}
	runResultCases(t, InsecureDockerSecurityOptions, cases)
}
