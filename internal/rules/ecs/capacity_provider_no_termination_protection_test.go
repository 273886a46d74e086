package ecs

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestCapacityProviderNoTerminationProtection(t *testing.T) {
	const cp = `"name":"asg-cp","capacityProviderArn":"arn:aws:ecs:us-east-1:111122223333:capacity-provider/asg-cp"`
	asg := func(p string) string {
		return cp + `,"autoScalingGroupProvider":{"autoScalingGroupArn":"arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:x"` + p + `}`
	}
	runCases(t, CapacityProviderNoTerminationProtection, "capacityProviders", []testCase{
		{name: "disabled", fields: asg(`,"managedTerminationProtection":"DISABLED"`), want: rule.Failed, detail: "DISABLED",
			path: "autoScalingGroupProvider/managedTerminationProtection"},
		{name: "absent", fields: asg(``), want: rule.Failed, detail: "not set"},
		{name: "enabled", fields: asg(`,"managedTerminationProtection":"ENABLED"`), want: rule.Passed},
		{name: "fargate", fields: `"name":"FARGATE","status":"ACTIVE"`, want: rule.NotApplicable},
	})
}
