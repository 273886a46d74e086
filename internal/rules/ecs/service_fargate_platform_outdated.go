package ecs

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// ServiceFargatePlatformOutdated fails a Fargate service pinned to an older platform version.
var ServiceFargatePlatformOutdated = registerService(&ServiceRule{
	Meta: rule.Meta{
		ID:    "service.fargate-platform-outdated",
		Title: "Fargate service runs an outdated platform version",
		Description: "Fargate's platform version is the kernel, container runtime and agent the tasks run on; AWS " +
			"patches only by releasing new versions, so a service pinned to an older one keeps its known flaws. " +
			"A service passes with LATEST or the newest version of its family (Linux 1.4.0, Windows 1.0.0 by " +
			"default; set fargateLinuxPlatform and fargateWindowsPlatform in the configuration when AWS releases a " +
			"newer one). The family is Windows when platformFamily starts with \"windows\" in any case, as Security " +
			"Hub's ECS.10 reads it. An absent platformVersion means LATEST.",
		Remediation: "Run the service on the newest platform: `aws ecs update-service --cluster CLUSTER --service " +
			"SERVICE --platform-version LATEST --force-new-deployment`.",
		RemediationURL:    "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-10",
		Severity:          rule.Medium,
		Profile:           rule.Restricted,
		SecurityControlID: "ECS.10",
		Related:           []string{"AWS Config ecs-fargate-latest-platform-version"},
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-10",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-fargate.html",
		},
	},
	Check: func(s *model.Service, env *rule.Env) []rule.Result {
		if !model.UsesFargate(s.Svc.LaunchType, s.Svc.CapacityProviderStrategy) {
			return notApplicable("the service does not run on Fargate (launch type " + orNone(string(s.Svc.LaunchType)) + ")")
		}
		family, newest := "Linux", env.Settings.FargateLinuxPlatform
		if strings.HasPrefix(strings.ToLower(aws.ToString(s.Svc.PlatformFamily)), "windows") {
			family, newest = "Windows", env.Settings.FargateWindowsPlatform
		}
		v := aws.ToString(s.Svc.PlatformVersion)
		switch v {
		case "", "LATEST":
			return pass("platformVersion is " + orNone(v) + ": the service runs the newest " + family + " platform")
		case newest:
			return pass("platformVersion " + v + " is the newest " + family + " platform version")
		}
		return fail("platformVersion is "+v+", not LATEST or the newest "+family+" platform version "+newest, "platformVersion")
	},
})

func orNone(s string) string {
	if s == "" {
		return "not set"
	}
	return s
}
