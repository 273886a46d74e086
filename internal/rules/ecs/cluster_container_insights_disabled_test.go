package ecs

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestClusterContainerInsightsDisabled(t *testing.T) {
	setting := func(v string) string {
		return cluster + `,"settings":[{"name":"containerInsights","value":"` + v + `"}]`
	}
	runCases(t, ClusterContainerInsightsDisabled, "clusters", []testCase{
		{name: "disabled", fields: setting("disabled"), want: rule.Failed, detail: "disabled", path: "settings"},
		{name: "enabled", fields: setting("enabled"), want: rule.Passed},
		{name: "enhanced", fields: setting("enhanced"), want: rule.Passed},
		{name: "setting absent", fields: cluster + `,"settings":[]`, want: rule.Failed, detail: "no containerInsights"},
		{name: "settings not described", fields: cluster, want: rule.NotAvailable, detail: "--include SETTINGS"},
	})
}
