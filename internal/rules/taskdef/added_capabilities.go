package taskdef

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// AddedCapabilities fails a container that adds Linux capabilities outside the allowed list. The result is HIGH
// when a capability that amounts to root on the host (or ALL) is added, MEDIUM otherwise.
var AddedCapabilities = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.added-capabilities",
		Title: "Container adds Linux capabilities",
		Description: "Each capability added to Docker's default set gives the container a piece of root's power over " +
			"the kernel; some, such as SYS_ADMIN, SYS_MODULE, SYS_PTRACE or NET_ADMIN, are enough to escape the " +
			"container or take over the instance's network.",
		Remediation: "Remove the entries under linuxParameters.capabilities.add in the container definition, keeping " +
			"only capabilities on the allowed list (by default NET_BIND_SERVICE). Where a capability is truly needed, " +
			"add it to allowedCapabilities in the ecsaudit configuration.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_KernelCapabilities.html",
		Severity:       rule.High,
		Profile:        rule.Baseline,
		Level:          rule.ContainerLevel,
		Related:        []string{"PSS restricted: Capabilities"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_KernelCapabilities.html",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
			"https://kubernetes.io/docs/concepts/security/pod-security-standards/",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		var allowed []string
		if env != nil && env.Settings != nil {
			for _, a := range env.Settings.AllowedCapabilities {
				allowed = append(allowed, rule.NormalizeCapability(a))
			}
		}
		return perContainer(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			return checkAddedCapabilities(env, t.ContainerName(i), i, c, allowed)
		})
	},
})

func checkAddedCapabilities(env *rule.Env, name string, i int, c *ecstypes.ContainerDefinition, allowed []string) rule.Result {
	var add []string
	if c.LinuxParameters != nil && c.LinuxParameters.Capabilities != nil {
		add = c.LinuxParameters.Capabilities.Add
	}
	var extra, kept, high []string
	at, atHigh := -1, -1
	for j, raw := range add {
		cp := rule.NormalizeCapability(raw)
		switch {
		case cp == "":
			continue
		case slices.Contains(allowed, cp):
			kept = appendNew(kept, cp)
			continue
		}
		extra = appendNew(extra, cp)
		if at < 0 {
			at = j
		}
		if highRiskCapability(cp) {
			high = appendNew(high, cp)
			if atHigh < 0 {
				atHigh = j
			}
		}
	}
	if len(extra) == 0 {
		if len(kept) == 0 {
			return pass(fmt.Sprintf("container %q adds no Linux capabilities", name))
		}
		return pass(fmt.Sprintf("container %q adds only allowed capabilities: %s", name, strings.Join(kept, ", ")))
	}
	allowedText := "none"
	if len(allowed) > 0 {
		allowedText = strings.Join(allowed, ", ")
	}
	detail := fmt.Sprintf("container %q adds %s (allowed: %s)", name, strings.Join(extra, ", "), allowedText)
	sev := rule.Medium
	if len(high) > 0 {
		sev, at = rule.High, atHigh
		detail += "; high risk: " + strings.Join(high, ", ")
	}
	r := fail(detail, containerPath(i, "linuxParameters", "capabilities", "add", strconv.Itoa(at)))
	r.Severity = sev
	return r
}

// highRiskCapability reports whether adding c (normalised) gives a container a practical way to root on the host.
func highRiskCapability(c string) bool {
	switch c {
	case "ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO", "DAC_READ_SEARCH", "BPF",
		"PERFMON", "SYS_BOOT", "MAC_ADMIN", "MAC_OVERRIDE":
		return true
	}
	return false
}
