package taskdef

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// HostDevices fails a container that is given devices of the host.
var HostDevices = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.host-devices",
		Title: "Container is given host devices",
		Description: "A host device passed into a container is the instance's hardware, driven by the host kernel: " +
			"block devices expose the instance's disks, and many device drivers give a way out of the container. " +
			"Only the privileged profile of the Pod Security Standards allows it.",
		Remediation: "Remove linuxParameters.devices from the container definition. For GPUs use " +
			"resourceRequirements of type GPU, and run workloads that need raw devices on dedicated instances.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Device.html",
		Severity:       rule.High,
		Profile:        rule.Baseline,
		Level:          rule.ContainerLevel,
		Related:        []string{"PSS privileged profile only (host devices)"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Device.html",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_linuxparameters",
			"https://kubernetes.io/docs/concepts/security/pod-security-standards/",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		return perContainer(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			name := t.ContainerName(i)
			var devs []ecstypes.Device
			if c.LinuxParameters != nil {
				devs = c.LinuxParameters.Devices
			}
			if len(devs) == 0 {
				return pass(fmt.Sprintf("container %q is given no host devices", name))
			}
			var paths []string
			for _, d := range devs {
				p := aws.ToString(d.HostPath)
				if p == "" {
					p = "(hostPath not set)"
				}
				if cp := aws.ToString(d.ContainerPath); cp != "" && cp != p {
					p += " as " + cp
				}
				paths = append(paths, p)
			}
			return fail(fmt.Sprintf("container %q is given %s host device(s): %s", name, strconv.Itoa(len(devs)), strings.Join(paths, ", ")),
				containerPath(i, "linuxParameters", "devices", "0"))
		})
	},
})
