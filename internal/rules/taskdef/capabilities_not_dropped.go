package taskdef

import (
	"fmt"
	"slices"
	"strings"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// CapabilitiesNotDropped fails a Linux container that does not drop ALL capabilities.
var CapabilitiesNotDropped = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.capabilities-not-dropped",
		Title: "Container does not drop all capabilities",
		Description: "Unless a container drops ALL, it keeps Docker's default capabilities (among them CHOWN, " +
			"DAC_OVERRIDE, FOWNER, SETUID, SETGID and NET_RAW), which a compromised process can use to change file " +
			"ownership, switch users or forge network packets.",
		Remediation: "Add \"linuxParameters\": {\"capabilities\": {\"drop\": [\"ALL\"]}} to the container definition, " +
			"then list under capabilities.add only what the process needs (for example NET_BIND_SERVICE).",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_KernelCapabilities.html",
		Severity:       rule.Low,
		Profile:        rule.Restricted,
		Level:          rule.ContainerLevel,
		Related:        []string{"PSS restricted: Capabilities"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_KernelCapabilities.html",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
			"https://kubernetes.io/docs/concepts/security/pod-security-standards/",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		return linuxOnly(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			name := t.ContainerName(i)
			var drop []string
			if c.LinuxParameters != nil && c.LinuxParameters.Capabilities != nil {
				for _, d := range c.LinuxParameters.Capabilities.Drop {
					if n := rule.NormalizeCapability(d); n != "" {
						drop = appendNew(drop, n)
					}
				}
			}
			path := containerPath(i, "linuxParameters", "capabilities", "drop")
			switch {
			case slices.Contains(drop, "ALL"):
				return pass(fmt.Sprintf("container %q drops ALL capabilities", name))
			case len(drop) == 0:
				return fail(fmt.Sprintf("container %q drops no capabilities: it keeps Docker's default set", name), path)
			}
			return fail(fmt.Sprintf("container %q drops %s but not ALL: the rest of Docker's default set remains",
				name, strings.Join(drop, ", ")), path)
		})
	},
})
