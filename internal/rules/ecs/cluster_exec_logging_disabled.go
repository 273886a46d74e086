package ecs

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// ClusterExecLoggingDisabled fails a cluster whose ECS Exec sessions are not logged.
var ClusterExecLoggingDisabled = registerCluster(&ClusterRule{
	Meta: rule.Meta{
		ID:    "cluster.exec-logging-disabled",
		Title: "Cluster does not log ECS Exec sessions",
		Description: "An ECS Exec session is an interactive shell in a running container; the cluster's " +
			"executeCommandConfiguration says where the commands and their output are logged. logging NONE keeps no " +
			"record, and OVERRIDE without a CloudWatch log group or S3 bucket has nowhere to write. DEFAULT (the " +
			"awslogs configuration of the task) passes, and so does a cluster without an execute command configuration.",
		Remediation: "`aws ecs update-cluster --cluster CLUSTER --configuration 'executeCommandConfiguration={logging=OVERRIDE," +
			"logConfiguration={cloudWatchLogGroupName=LOG_GROUP,cloudWatchEncryptionEnabled=true}}'`.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html",
		Severity:       rule.Medium,
		Profile:        rule.Restricted,
		Related:        []string{"Checkov CKV_AWS_223"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ExecuteCommandConfiguration.html",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html",
		},
	},
	Check: func(c *model.Cluster, env *rule.Env) []rule.Result {
		x := c.ExecConfig()
		if x == nil {
			return notApplicable("the cluster has no execute command configuration")
		}
		const path = "configuration/executeCommandConfiguration/logging"
		switch x.Logging {
		case ecstypes.ExecuteCommandLoggingNone:
			return fail("executeCommandConfiguration logging is NONE: ECS Exec sessions are not logged", path)
		case ecstypes.ExecuteCommandLoggingOverride:
			lc := x.LogConfiguration
			if lc == nil || (aws.ToString(lc.CloudWatchLogGroupName) == "" && aws.ToString(lc.S3BucketName) == "") {
				return fail("executeCommandConfiguration logging is OVERRIDE without a CloudWatch log group or S3 bucket", path)
			}
			return pass("ECS Exec sessions are logged to the configured destination")
		}
		return pass("executeCommandConfiguration logging is " + orNone(string(x.Logging)) + " (the task's awslogs configuration)")
	},
})
