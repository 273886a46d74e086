package ecs

import (
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// ClusterContainerInsightsDisabled fails a cluster without Container Insights.
var ClusterContainerInsightsDisabled = registerCluster(&ClusterRule{
	Meta: rule.Meta{
		ID:    "cluster.container-insights-disabled",
		Title: "Cluster does not use Container Insights",
		Description: "Container Insights collects the metrics and performance log events of a cluster's tasks; " +
			"without it a runaway or compromised task (crypto-mining, restarts, unusual network traffic) goes " +
			"unnoticed. The containerInsights setting passes as enabled or enhanced; absent or disabled fails.",
		Remediation: "`aws ecs update-cluster-settings --cluster CLUSTER --settings name=containerInsights,value=enhanced` " +
			"(or value=enabled).",
		RemediationURL:    "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-12",
		Severity:          rule.Medium,
		Profile:           rule.Restricted,
		SecurityControlID: "ECS.12",
		Related: []string{
			"AWS Config ecs-container-insights-enabled",
			"Trivy AVD-AWS-0034",
			"Checkov CKV_AWS_65",
		},
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-12",
			"https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContainerInsights.html",
		},
	},
	Check: func(c *model.Cluster, env *rule.Env) []rule.Result {
		if !c.SettingsKnown {
			return notAvailable("the input says nothing of the settings of cluster " + c.ID() + ": describe it with " +
				"`aws ecs describe-clusters --include SETTINGS`")
		}
		v, ok := c.Setting(ecstypes.ClusterSettingNameContainerInsights)
		switch {
		case !ok:
			return fail("the cluster has no containerInsights setting (Container Insights is off)", "settings")
		case v == "enabled" || v == "enhanced":
			return pass("containerInsights is " + v)
		}
		return fail("containerInsights is "+orNone(v)+", not enabled or enhanced", "settings")
	},
})
