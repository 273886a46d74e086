package ecs

import (
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// ServicePublicIP fails a service whose tasks get a public IP address.
var ServicePublicIP = registerService(&ServiceRule{
	Meta: rule.Meta{
		ID:    "service.public-ip",
		Title: "Service assigns public IP addresses to its tasks",
		Description: "With assignPublicIp ENABLED every task of the service gets a public address in its subnet, so " +
			"whatever its security groups allow is reachable from the internet; an internet-facing load balancer " +
			"or a NAT gateway gives the same reach without exposing each task. A service without a network " +
			"configuration (bridge or host networking) gets no public address from ECS and passes, as Security Hub " +
			"judges it.",
		Remediation: "Set assignPublicIp to DISABLED: `aws ecs update-service --cluster CLUSTER --service SERVICE " +
			"--network-configuration 'awsvpcConfiguration={subnets=[...],securityGroups=[...],assignPublicIp=DISABLED}'`, " +
			"and put a load balancer or NAT gateway in front of private subnets.",
		RemediationURL:    "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-2",
		Severity:          rule.High,
		Profile:           rule.Baseline,
		SecurityControlID: "ECS.2",
		Related: []string{
			"AWS Config ecs-service-assign-public-ip-disabled",
			"Prowler ecs_service_no_assign_public_ip",
			"Checkov CKV_AWS_333",
		},
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-2",
			"https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html",
		},
	},
	Check: func(s *model.Service, env *rule.Env) []rule.Result {
		return publicIP(s.Svc.NetworkConfiguration, "service")
	},
})

// publicIP judges a service's or task set's network configuration.
func publicIP(nc *ecstypes.NetworkConfiguration, what string) []rule.Result {
	if nc == nil || nc.AwsvpcConfiguration == nil {
		return pass("the " + what + " has no awsvpc network configuration: ECS assigns its tasks no public IP address")
	}
	switch nc.AwsvpcConfiguration.AssignPublicIp {
	case ecstypes.AssignPublicIpEnabled:
		return fail("assignPublicIp is ENABLED: every task of the "+what+" gets a public IP address",
			"networkConfiguration/awsvpcConfiguration/assignPublicIp")
	case "":
		return pass("assignPublicIp is not set (DISABLED by default)")
	}
	return pass("assignPublicIp is " + string(nc.AwsvpcConfiguration.AssignPublicIp))
}
