package ecs

import (
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// CapacityProviderNoTerminationProtection fails an Auto Scaling group provider without managed termination
// protection.
var CapacityProviderNoTerminationProtection = registerProvider(&CapacityProviderRule{
	Meta: rule.Meta{
		ID:    "capacity-provider.no-termination-protection",
		Title: "Capacity provider lets scale-in terminate instances that run tasks",
		Description: "Without managed termination protection, the Auto Scaling group behind a capacity provider may " +
			"terminate instances that still run tasks when it scales in, stopping them without draining. Only Auto " +
			"Scaling group providers have the setting; Fargate and managed instances providers are not applicable.",
		Remediation: "`aws ecs update-capacity-provider --name PROVIDER --auto-scaling-group-provider " +
			"'managedTerminationProtection=ENABLED,managedScaling={status=ENABLED}'`, with scale-in protection on " +
			"the Auto Scaling group's instances.",
		RemediationURL:    "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-19",
		Severity:          rule.Medium,
		Profile:           rule.Restricted,
		SecurityControlID: "ECS.19",
		Related:           []string{"AWS Config ecs-capacity-provider-termination-check"},
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-19",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-termination-protection.html",
		},
	},
	Check: func(p *model.CapacityProvider, env *rule.Env) []rule.Result {
		asg := p.Provider.AutoScalingGroupProvider
		if asg == nil {
			return notApplicable("capacity provider " + p.ID() + " has no Auto Scaling group (Fargate or managed instances)")
		}
		if asg.ManagedTerminationProtection != ecstypes.ManagedTerminationProtectionEnabled {
			return fail("managedTerminationProtection is "+orNone(string(asg.ManagedTerminationProtection))+", not ENABLED",
				"autoScalingGroupProvider/managedTerminationProtection")
		}
		return pass("managedTerminationProtection is ENABLED")
	},
})
