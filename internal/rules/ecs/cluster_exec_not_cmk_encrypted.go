package ecs

import (
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// ClusterExecNotCMKEncrypted fails a cluster whose ECS Exec sessions are not encrypted with its own KMS key.
var ClusterExecNotCMKEncrypted = registerCluster(&ClusterRule{
	Meta: rule.Meta{
		ID:    "cluster.exec-not-cmk-encrypted",
		Title: "Cluster's ECS Exec sessions are not encrypted with a customer managed key",
		Description: "The data of an ECS Exec session between the client and the container is encrypted with TLS; " +
			"a kmsKeyId in the cluster's executeCommandConfiguration adds a key the account controls (and whose use " +
			"CloudTrail records). A cluster without an execute command configuration is not applicable.",
		Remediation: "`aws ecs update-cluster --cluster CLUSTER --configuration 'executeCommandConfiguration={kmsKeyId=KEY_ARN,logging=DEFAULT}'`, " +
			"and allow kms:Decrypt on the key to the task role.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html",
		Severity:       rule.Low,
		Profile:        rule.Restricted,
		Related:        []string{"Checkov CKV_AWS_224"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ExecuteCommandConfiguration.html",
		},
	},
	Check: func(c *model.Cluster, env *rule.Env) []rule.Result {
		x := c.ExecConfig()
		if x == nil {
			return notApplicable("the cluster has no execute command configuration")
		}
		if aws.ToString(x.KmsKeyId) == "" {
			return fail("executeCommandConfiguration has no kmsKeyId", "configuration/executeCommandConfiguration/kmsKeyId")
		}
		return pass("ECS Exec sessions are encrypted with KMS key " + aws.ToString(x.KmsKeyId))
	},
})
