package taskdef

import (
	"fmt"
	"strconv"
	"strings"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// InsecureDockerSecurityOptions fails a container that switches off a kernel confinement layer: AppArmor, seccomp
// or SELinux labelling.
var InsecureDockerSecurityOptions = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.insecure-docker-security-options",
		Title: "Container disables AppArmor, seccomp or SELinux confinement",
		Description: "The default AppArmor profile, seccomp filter and SELinux label block the system calls and " +
			"files most container escapes use. Running unconfined (or as spc_t, the SELinux super-privileged " +
			"container type) removes that layer and leaves only capabilities between the process and the host.",
		Remediation: "Remove \"apparmor:unconfined\", \"seccomp:unconfined\", \"label:disable\" and \"label:type:spc_t\" " +
			"from the container's dockerSecurityOptions. If the application needs one blocked call, ship a custom " +
			"profile that allows only that call instead of disabling the profile.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_security",
		Severity:       rule.High,
		Profile:        rule.Baseline,
		Level:          rule.ContainerLevel,
		Related:        []string{"PSS baseline: AppArmor", "PSS baseline: SELinux", "PSS baseline: Seccomp"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_security",
			"https://docs.docker.com/engine/security/seccomp/",
			"https://kubernetes.io/docs/concepts/security/pod-security-standards/",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		return perContainer(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			name := t.ContainerName(i)
			var bad []string
			at := -1
			for j, opt := range c.DockerSecurityOptions {
				if what := insecureOption(opt); what != "" {
					bad = append(bad, fmt.Sprintf("%q (%s)", strings.TrimSpace(opt), what))
					if at < 0 {
						at = j
					}
				}
			}
			if len(bad) == 0 {
				return pass(fmt.Sprintf("container %q keeps the default AppArmor, seccomp and SELinux confinement", name))
			}
			return fail(fmt.Sprintf("container %q sets %s", name, strings.Join(bad, ", ")),
				containerPath(i, "dockerSecurityOptions", strconv.Itoa(at)))
		})
	},
})

// insecureOption says what a dockerSecurityOptions entry switches off, or "" when it is harmless. Keys and values
// are compared in any case, with either separator Docker accepts.
func insecureOption(opt string) string {
	key, value := securityOption(opt)
	switch {
	case key == "apparmor" && value == "unconfined":
		return "no AppArmor profile"
	case key == "seccomp" && value == "unconfined":
		return "no seccomp filter"
	case key == "label" && value == "disable":
		return "SELinux labelling off"
	case key == "label" && value == "type:spc_t":
		return "SELinux super-privileged container type"
	case key == "systempaths" && value == "unconfined":
		return "/proc and /sys paths unmasked"
	}
	return ""
}
