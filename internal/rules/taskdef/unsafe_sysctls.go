package taskdef

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// UnsafeSysctls fails a container that sets a kernel parameter outside the Pod Security Standards' safe set.
var UnsafeSysctls = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.unsafe-sysctls",
		Title: "Container sets kernel parameters outside the safe set",
		Description: "Only a few namespaced sysctls are isolated to the container; others change the behaviour of " +
			"the network or IPC namespace shared with other containers, or reach the host kernel, and can weaken " +
			"isolation or degrade every task on the instance.",
		Remediation: "Remove the entries under systemControls whose namespace is not in the safe set " +
			"(kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start, " +
			"net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports, " +
			"net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, " +
			"net.ipv4.tcp_keepalive_probes); tune the instance itself where a host-wide setting is truly needed.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_systemcontrols",
		Severity:       rule.Medium,
		Profile:        rule.Baseline,
		Level:          rule.ContainerLevel,
		Related:        []string{"PSS baseline: Sysctls"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_systemcontrols",
			"https://kubernetes.io/docs/concepts/security/pod-security-standards/",
			"https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		return perContainer(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			name := t.ContainerName(i)
			var bad []string
			at := -1
			for j, sc := range c.SystemControls {
				ns := strings.TrimSpace(aws.ToString(sc.Namespace))
				if ns == "" || safeSysctl(ns) {
					continue
				}
				if !slices.Contains(bad, ns) {
					bad = append(bad, ns)
				}
				if at < 0 {
					at = j
				}
			}
			if len(bad) == 0 {
				return pass(fmt.Sprintf("container %q sets only safe sysctls (or none)", name))
			}
			return fail(fmt.Sprintf("container %q sets sysctls outside the safe set: %s", name, strings.Join(bad, ", ")),
				containerPath(i, "systemControls", strconv.Itoa(at), "namespace"))
		})
	},
})

// safeSysctl reports whether a sysctl is in the Pod Security Standards' safe set. The kernel also accepts "/" as
// the separator (net/ipv4/tcp_syncookies).
func safeSysctl(ns string) bool {
	switch strings.ReplaceAll(ns, "/", ".") {
	case "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
		"net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
		"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
		"net.ipv4.tcp_keepalive_probes":
		return true
	}
	return false
}
