package ecs

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestServiceUntagged(t *testing.T) {
	runCases(t, ServiceUntagged, "services", []testCase{
		{name: "tags not described", fields: svc, want: rule.NotAvailable, detail: "--include TAGS"},
		{name: "no tags", fields: svc + `,"tags":[]`, want: rule.Failed, detail: "no tags", path: "tags"},
		{name: "only aws tags", fields: svc + `,"tags":[{"key":"aws:cloudformation:stack-name","value":"s"}]`,
			want: rule.Failed, detail: "only tags AWS added"},
		{name: "own tag", fields: svc + `,"tags":[{"key":"owner","value":"payments"}]`, want: rule.Passed},
		{name: "required present", fields: svc + `,"tags":[{"key":"owner","value":"p"},{"key":"env","value":"prod"}]`,
			settings: require("owner", "env"), want: rule.Passed},
		{name: "required missing", fields: svc + `,"tags":[{"key":"owner","value":"p"}]`,
			settings: require("owner", "env"), want: rule.Failed, detail: "env"},
		{name: "required keys are case-sensitive", fields: svc + `,"tags":[{"key":"Owner","value":"p"}]`,
			settings: require("owner"), want: rule.Failed},
	})
}
