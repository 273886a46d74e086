package ecs

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestClusterExecLoggingDisabled(t *testing.T) {
	exec := func(c string) string {
		return cluster + `,"configuration":{"executeCommandConfiguration":{` + c + `}}`
	}
	runCases(t, ClusterExecLoggingDisabled, "clusters", []testCase{
		{name: "none", fields: exec(`"logging":"NONE"`), want: rule.Failed, detail: "NONE",
			path: "configuration/executeCommandConfiguration/logging"},
		{name: "override without destination", fields: exec(`"logging":"OVERRIDE","logConfiguration":{}`),
			want: rule.Failed, detail: "OVERRIDE"},
		{name: "override without log configuration", fields: exec(`"logging":"OVERRIDE"`), want: rule.Failed},
		{name: "override to cloudwatch", fields: exec(`"logging":"OVERRIDE","logConfiguration":{"cloudWatchLogGroupName":"g"}`),
			want: rule.Passed},
		{name: "override to s3", fields: exec(`"logging":"OVERRIDE","logConfiguration":{"s3BucketName":"b"}`), want: rule.Passed},
		{name: "default", fields: exec(`"logging":"DEFAULT"`), want: rule.Passed},
		{name: "no exec configuration", fields: cluster, want: rule.NotApplicable},
	})
}
