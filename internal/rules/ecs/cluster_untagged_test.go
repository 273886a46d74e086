package ecs

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestClusterUntagged(t *testing.T) {
	runCases(t, ClusterUntagged, "clusters", []testCase{
		{name: "tags not described", fields: cluster, want: rule.NotAvailable, detail: "--include TAGS"},
		{name: "no tags", fields: cluster + `,"tags":[]`, want: rule.Failed, path: "tags"},
		{name: "only aws tags", fields: cluster + `,"tags":[{"key":"aws:ecs:clusterName","value":"x"}]`, want: rule.Failed},
		{name: "own tag", fields: cluster + `,"tags":[{"key":"team","value":"x"}]`, want: rule.Passed},
		{name: "required missing", fields: cluster + `,"tags":[{"key":"team","value":"x"}]`, settings: require("owner"),
			want: rule.Failed, detail: "owner"},
	})
}
