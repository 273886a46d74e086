package taskdef

import (
	"fmt"
	"strconv"
	"strings"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// HostPort fails a container that binds a fixed port on the instance: any port mapping in host mode, or a
// non-zero hostPort in bridge mode (an unset network mode is bridge, except on a Fargate-only task where it
// cannot run and is judged like awsvpc).
var HostPort = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.host-port",
		Title: "Container binds a fixed port on the host",
		Description: "A fixed host port opens the container on the instance's own interfaces, outside the task's " +
			"security groups in bridge mode, and lets only one such task run per instance. Dynamic host ports or " +
			"awsvpc networking keep each task behind its own address and security groups.",
		Remediation: "Use \"networkMode\": \"awsvpc\", or in bridge mode set \"hostPort\" to 0 (or remove it) in the " +
			"port mapping so that ECS assigns a dynamic port and the load balancer tracks it.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_portmappings",
		Severity:       rule.Low,
		Profile:        rule.Restricted,
		Level:          rule.ContainerLevel,
		Related:        []string{"PSS baseline: Host Ports"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_portmappings",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking.html",
			"https://kubernetes.io/docs/concepts/security/pod-security-standards/",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		mode := t.Def.NetworkMode
		label := string(mode)
		if mode == "" {
			mode, label = ecstypes.NetworkModeBridge, "unset, so bridge"
			if taskOS(t).windows {
				label = "unset, so Windows NAT, which publishes host ports like bridge"
			}
			if t.FargateOnly() {
				mode, label = ecstypes.NetworkModeAwsvpc, "unset on a Fargate-only task, which runs awsvpc"
			}
		}
		return perContainer(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			name := t.ContainerName(i)
			switch mode {
			case ecstypes.NetworkModeHost:
				if len(c.PortMappings) > 0 {
					p := c.PortMappings[0]
					return fail(fmt.Sprintf("container %q has %s port mapping(s) in host network mode, which binds them on "+
						"the instance (first: %s)", name, strconv.Itoa(len(c.PortMappings)), portLabel(p)), containerPath(i, "portMappings", "0"))
				}
				return pass(fmt.Sprintf("container %q has no port mapping", name))
			case ecstypes.NetworkModeBridge:
				var fixed []string
				at := -1
				for j, p := range c.PortMappings {
					if p.HostPort != nil && *p.HostPort != 0 {
						fixed = append(fixed, portLabel(p))
						if at < 0 {
							at = j
						}
					}
				}
				if len(fixed) > 0 {
					return fail(fmt.Sprintf("container %q binds fixed host ports (networkMode %s): %s", name, label,
						strings.Join(fixed, "; ")), containerPath(i, "portMappings", strconv.Itoa(at), "hostPort"))
				}
				return pass(fmt.Sprintf("container %q uses no fixed host port (networkMode %s)", name, label))
			}
			return pass(fmt.Sprintf("container %q: networkMode %s binds no host port", name, label))
		})
	},
})

func containerPortLabel(p ecstypes.PortMapping) string {
	switch {
	case p.ContainerPort != nil:
		return strconv.Itoa(int(*p.ContainerPort))
	case p.ContainerPortRange != nil:
		return *p.ContainerPortRange
	}
	return "(unset)"
}

func portLabel(p ecstypes.PortMapping) string {
	s := "container port " + containerPortLabel(p)
	if p.HostPort != nil && *p.HostPort != 0 {
		s += ", host port " + strconv.Itoa(int(*p.HostPort))
	}
	return s
}
