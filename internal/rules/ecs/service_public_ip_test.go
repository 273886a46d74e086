package ecs

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestServicePublicIP(t *testing.T) {
	runCases(t, ServicePublicIP, "services", []testCase{
		{name: "enabled", fields: svc + `,"networkConfiguration":{"awsvpcConfiguration":{"subnets":["s"],"assignPublicIp":"ENABLED"}}`,
			want: rule.Failed, detail: "ENABLED", path: "networkConfiguration/awsvpcConfiguration/assignPublicIp"},
		{name: "disabled", fields: svc + `,"networkConfiguration":{"awsvpcConfiguration":{"subnets":["s"],"assignPublicIp":"DISABLED"}}`,
			want: rule.Passed, detail: "DISABLED"},
		{name: "field absent", fields: svc + `,"networkConfiguration":{"awsvpcConfiguration":{"subnets":["s"]}}`,
			want: rule.Passed, detail: "not set"},
		{name: "no network configuration", fields: svc, want: rule.Passed, detail: "no awsvpc network configuration"},
	})
}
