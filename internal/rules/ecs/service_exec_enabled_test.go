package ecs

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestServiceExecEnabled(t *testing.T) {
	runCases(t, ServiceExecEnabled, "services", []testCase{
		{name: "enabled", fields: svc + `,"enableExecuteCommand":true`, want: rule.Failed, path: "enableExecuteCommand"},
		{name: "disabled", fields: svc + `,"enableExecuteCommand":false`, want: rule.Passed},
		{name: "absent", fields: svc, want: rule.Passed},
	})
}
