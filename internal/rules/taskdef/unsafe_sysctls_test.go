package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestUnsafeSysctls(t *testing.T) {
	task := func(controls string) []string {
		return docsOf(`{"family":"f","containerDefinitions":[{"name":"app","image":"x","systemControls":` + controls + `},{"name":"plain","image":"y"}]}`)
	}
	failed := func(path string) map[string]expected {
		return map[string]expected{"app": {status: rule.Failed, path: path}, "plain": {status: rule.Passed}}
	}
	passed := map[string]expected{"app": {status: rule.Passed}, "plain": {status: rule.Passed}}
	var cases []resultCase
	for _, ns := range []string{"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
		"net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time",
		"net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes", "net/ipv4/tcp_syncookies"} {
		cases = append(cases, resultCase{name: "safe " + ns, docs: task(`[{"namespace":"` + ns + `","value":"1"}]`), want: passed})
	}
	for _, ns := range []string{"net.ipv4.ip_forward", "kernel.msgmax", "net.core.somaxconn", "kernel.shmmax", "net.ipv4.conf.all.route_localnet", "vm.overcommit_memory"} {
		cases = append(cases, resultCase{name: "unsafe " + ns, docs: task(`[{"namespace":"` + ns + `","value":"1"}]`), want: failed("containerDefinitions/0/systemControls/0/namespace")})
	}
	cases = append(cases,
		resultCase{name: "unsafe after safe", docs: task(`[{"namespace":"net.ipv4.tcp_syncookies","value":"1"},{"namespace":"net.core.somaxconn","value":"4096"}]`),
			want: failed("containerDefinitions/0/systemControls/1/namespace")},
		resultCase{name: "no controls", docs: task(`[]`), want: passed},
	)
	runResultCases(t, UnsafeSysctls, cases)
}
