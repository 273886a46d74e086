package taskdef

import (
	"fmt"
	"strconv"
	"strings"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// HostNetworkRoot fails a host-network task with a container that is neither privileged nor non-root. It keeps the
// logic of the retired Security Hub control ECS.1: a privileged container passes here (a deliberate choice that
// task.privileged-container reports on its own).
var HostNetworkRoot = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.host-network-root",
		Title: "Host network task runs containers as root",
		Description: "With host networking a container shares the instance's network stack: a root process can bind " +
			"any port, sniff and reconfigure the instance's interfaces and reach services listening on the instance's " +
			"loopback, such as the ECS agent's introspection API.",
		Remediation: "Set \"user\" to a non-root UID (for example \"1000:1000\") in every container definition of the " +
			"task, or change \"networkMode\" from \"host\" to \"awsvpc\" (or \"bridge\").",
		RemediationURL: "https://docs.aws.amazon.com/config/latest/developerguide/ecs-task-definition-user-for-host-mode-check.html",
		Severity:       rule.High,
		Profile:        rule.Baseline,
		Level:          rule.TaskLevel,
		Related: []string{
			"Security Hub ECS.1 (retired)",
			"AWS Config ecs-task-definition-user-for-host-mode-check",
		},
		References: []string{
			"https://docs.aws.amazon.com/config/latest/developerguide/ecs-task-definition-user-for-host-mode-check.html",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/networking-networkmode-host.html",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		if t.Def.NetworkMode != ecstypes.NetworkModeHost {
			return one(pass("networkMode is " + networkModeLabel(t) + ", not host"))
		}
		var offenders, privileged []string
		first := -1
		for i := range t.Def.ContainerDefinitions {
			c := &t.Def.ContainerDefinitions[i]
			name := t.ContainerName(i)
			if c.Privileged != nil && *c.Privileged {
				privileged = append(privileged, strconv.Quote(name))
				continue
			}
			if u := parseLinuxUser(c.User); u.root {
				offenders = append(offenders, fmt.Sprintf("container %q %s", name, u.describe()))
				if first < 0 {
					first = i
				}
			}
		}
		if len(offenders) > 0 {
			return one(fail(fmt.Sprintf("networkMode is host and %s container(s) are neither privileged nor non-root: %s",
				strconv.Itoa(len(offenders)), strings.Join(offenders, "; ")), containerPath(first, "user")))
		}
		detail := "networkMode is host and every container runs as a non-root user"
		if len(privileged) > 0 {
			detail = fmt.Sprintf("networkMode is host and every container is non-root or privileged (privileged: %s, "+
				"reported by task.privileged-container)", strings.Join(privileged, ", "))
		}
		return one(pass(detail))
	},
})
