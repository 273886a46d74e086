package ecs

import (
	"strconv"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// PrivilegedCapability is the attribute an ECS agent advertises when it may start privileged containers.
const PrivilegedCapability = "com.amazonaws.ecs.capability.privileged-container"

// HostPrivilegedAllowed fails a container instance whose agent starts privileged containers.
var HostPrivilegedAllowed = registerHost(&HostRule{
	Meta: rule.Meta{
		ID:    "host.privileged-allowed",
		Title: "Container instance allows privileged containers",
		Description: "The ECS agent starts any privileged container a task definition asks for unless its " +
			"configuration sets ECS_DISABLE_PRIVILEGED=true; then it stops advertising the " + PrivilegedCapability +
			" attribute and ECS places no task that needs it there. A privileged container is root on the instance, " +
			"with every other task's secrets and the instance role within reach. The finding names the privileged " +
			"tasks placed on the instance when they were read.",
		Remediation: "Add ECS_DISABLE_PRIVILEGED=true to /etc/ecs/ecs.config in the launch template's user data, and " +
			"replace the instance; run tasks that truly need privileges on a separate cluster.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html",
		Severity:       rule.Medium,
		Profile:        rule.Restricted,
		Related:        []string{"ECS task and container security guide: ECS_DISABLE_PRIVILEGED"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html",
			"https://github.com/aws/amazon-ecs-agent/blob/master/README.md",
		},
	},
	Check: func(c *model.ContainerInstance, env *rule.Env) []rule.Result {
		if c.Instance.Attributes == nil {
			return notAvailable("the input holds no attributes of container instance " + c.ID() +
				": describe it with `aws ecs describe-container-instances`")
		}
		if _, ok := c.Attribute(PrivilegedCapability); !ok {
			return pass("the agent does not advertise " + PrivilegedCapability + " (ECS_DISABLE_PRIVILEGED is set)")
		}
		detail := "the agent advertises " + PrivilegedCapability + ": it starts privileged containers"
		if n := len(c.PrivilegedTasks); n > 0 {
			detail += "; " + strconv.Itoa(n) + " privileged task(s) run there: " + strings.Join(c.PrivilegedTasks, ", ")
		}
		return fail(detail, "attributes")
	},
})
