package ecs

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestServiceFargatePlatformOutdated(t *testing.T) {
	runCases(t, ServiceFargatePlatformOutdated, "services", []testCase{
		{name: "old linux", fields: svc + `,"launchType":"FARGATE","platformVersion":"1.3.0","platformFamily":"Linux"`,
			want: rule.Failed, detail: "newest Linux platform version 1.4.0", path: "platformVersion"},
		{name: "newest linux", fields: svc + `,"launchType":"FARGATE","platformVersion":"1.4.0"`, want: rule.Passed},
		{name: "LATEST", fields: svc + `,"launchType":"FARGATE","platformVersion":"LATEST"`, want: rule.Passed},
		{name: "absent means LATEST", fields: svc + `,"launchType":"FARGATE"`, want: rule.Passed},
		{name: "windows newest", fields: svc + `,"launchType":"FARGATE","platformVersion":"1.0.0","platformFamily":"WINDOWS_SERVER_2019_CORE"`,
			want: rule.Passed, detail: "Windows"},
		{name: "windows family in any case", fields: svc + `,"launchType":"FARGATE","platformVersion":"1.4.0","platformFamily":"Windows"`,
			want: rule.Failed, detail: "Windows platform version 1.0.0"},
		{name: "fargate spot strategy", fields: svc + `,"capacityProviderStrategy":[{"capacityProvider":"FARGATE_SPOT","weight":1}],"platformVersion":"1.3.0"`,
			want: rule.Failed},
		{name: "configured newer version", fields: svc + `,"launchType":"FARGATE","platformVersion":"1.4.0"`,
			settings: func(s *rule.Settings) { s.FargateLinuxPlatform = "1.5.0" }, want: rule.Failed, detail: "1.5.0"},
		{name: "EC2", fields: svc + `,"launchType":"EC2"`, want: rule.NotApplicable},
		{name: "EC2 capacity provider", fields: svc + `,"capacityProviderStrategy":[{"capacityProvider":"asg-cp","weight":1}],"platformVersion":"1.3.0"`,
			want: rule.NotApplicable},
	})
}
