package ecs

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestClusterExecNotCMKEncrypted(t *testing.T) {
	exec := func(c string) string {
		return cluster + `,"configuration":{"executeCommandConfiguration":{` + c + `}}`
	}
	runCases(t, ClusterExecNotCMKEncrypted, "clusters", []testCase{
		{name: "no key", fields: exec(`"logging":"DEFAULT"`), want: rule.Failed,
			path: "configuration/executeCommandConfiguration/kmsKeyId"},
		{name: "empty key", fields: exec(`"kmsKeyId":"","logging":"DEFAULT"`), want: rule.Failed},
		{name: "key", fields: exec(`"kmsKeyId":"arn:aws:kms:us-east-1:111122223333:key/k","logging":"DEFAULT"`), want: rule.Passed},
		{name: "no exec configuration", fields: cluster + `,"configuration":{}`, want: rule.NotApplicable},
	})
}
