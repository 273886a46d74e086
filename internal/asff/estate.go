package asff

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/redact"
)

// estateARN builds the ARN of an ECS estate resource the input named but gave no ARN for; "" for the kinds whose
// ARN cannot be built from a name (task sets, container instances).
func estateARN(res model.Resource, id identity) string {
	prefix := "arn:" + id.partition + ":ecs:" + id.region + ":" + id.account + ":"
	var kind, name string
	switch r := res.(type) {
	case *model.Service:
		kind, name = "service/", r.Name()
	case *model.Cluster:
		kind, name = "cluster/", r.Name()
	case *model.CapacityProvider:
		kind, name = "capacity-provider/", r.Name()
	}
	if name == "" {
		return ""
	}
	return prefix + kind + name
}

// estateDetails describes the ECS estate's resources as Security Hub documents them: AwsEcsService and
// AwsEcsCluster, and Other for task sets, capacity providers and container instances. Like taskDetails, it copies
// what the rules judge and what identifies the resource, never a container instance's user data (which the
// model does not hold) or a free-text field unredacted.
func estateDetails(res model.Resource) *types.ResourceDetails {
	switch r := res.(type) {
	case *model.Service:
		return &types.ResourceDetails{AwsEcsService: serviceDetails(&r.Svc)}
	case *model.Cluster:
		return &types.ResourceDetails{AwsEcsCluster: clusterDetails(&r.Cluster)}
	case *model.TaskSet:
		return other(map[string]string{
			"TaskSetArn":      aws.ToString(r.Set.TaskSetArn),
			"ServiceArn":      aws.ToString(r.Set.ServiceArn),
			"ClusterArn":      aws.ToString(r.Set.ClusterArn),
			"TaskDefinition":  aws.ToString(r.Set.TaskDefinition),
			"LaunchType":      string(r.Set.LaunchType),
			"PlatformVersion": aws.ToString(r.Set.PlatformVersion),
			"AssignPublicIp":  assignPublicIP(r.Set.NetworkConfiguration),
		})
	case *model.CapacityProvider:
		m := map[string]string{"Name": r.Name(), "Status": string(r.Provider.Status)}
		if asg := r.Provider.AutoScalingGroupProvider; asg != nil {
			m["AutoScalingGroupArn"] = aws.ToString(asg.AutoScalingGroupArn)
			m["ManagedTerminationProtection"] = string(asg.ManagedTerminationProtection)
		}
		return other(m)
	case *model.ContainerInstance:
		m := map[string]string{
			"ContainerInstanceArn": aws.ToString(r.Instance.ContainerInstanceArn),
			"Ec2InstanceId":        aws.ToString(r.Instance.Ec2InstanceId),
			"Status":               aws.ToString(r.Instance.Status),
		}
		if v := r.Instance.VersionInfo; v != nil {
			m["AgentVersion"] = aws.ToString(v.AgentVersion)
		}
		return other(m)
	}
	return nil
}

func other(m map[string]string) *types.ResourceDetails {
	out := map[string]string{}
	for k, v := range m {
		if v != "" {
			out[k] = truncate(redact.Field(v), maxOtherValue)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return &types.ResourceDetails{Other: out}
}

func assignPublicIP(nc *ecstypes.NetworkConfiguration) string {
	if nc == nil || nc.AwsvpcConfiguration == nil {
		return ""
	}
	return string(nc.AwsvpcConfiguration.AssignPublicIp)
}

func serviceDetails(s *ecstypes.Service) *types.AwsEcsServiceDetails {
	d := &types.AwsEcsServiceDetails{
		Name:                 text(aws.ToString(s.ServiceName)),
		ServiceName:          text(aws.ToString(s.ServiceName)),
		ServiceArn:           str(aws.ToString(s.ServiceArn)),
		Cluster:              str(aws.ToString(s.ClusterArn)),
		TaskDefinition:       str(aws.ToString(s.TaskDefinition)),
		LaunchType:           str(string(s.LaunchType)),
		PlatformVersion:      str(aws.ToString(s.PlatformVersion)),
		SchedulingStrategy:   str(string(s.SchedulingStrategy)),
		PropagateTags:        str(string(s.PropagateTags)),
		Role:                 str(aws.ToString(s.RoleArn)),
		DesiredCount:         aws.Int32(s.DesiredCount),
		EnableExecuteCommand: aws.Bool(s.EnableExecuteCommand),
		EnableEcsManagedTags: aws.Bool(s.EnableECSManagedTags),
	}
	for _, c := range s.CapacityProviderStrategy {
		d.CapacityProviderStrategy = append(d.CapacityProviderStrategy, types.AwsEcsServiceCapacityProviderStrategyDetails{
			CapacityProvider: str(aws.ToString(c.CapacityProvider)), Base: aws.Int32(c.Base), Weight: aws.Int32(c.Weight),
		})
	}
	if nc := s.NetworkConfiguration; nc != nil && nc.AwsvpcConfiguration != nil {
		v := nc.AwsvpcConfiguration
		d.NetworkConfiguration = &types.AwsEcsServiceNetworkConfigurationDetails{
			AwsVpcConfiguration: &types.AwsEcsServiceNetworkConfigurationAwsVpcConfigurationDetails{
				AssignPublicIp: str(string(v.AssignPublicIp)),
				SecurityGroups: nonEmpty(v.SecurityGroups),
				Subnets:        nonEmpty(v.Subnets),
			},
		}
	}
	for _, lb := range s.LoadBalancers {
		d.LoadBalancers = append(d.LoadBalancers, types.AwsEcsServiceLoadBalancersDetails{
			ContainerName:    text(aws.ToString(lb.ContainerName)),
			ContainerPort:    lb.ContainerPort,
			LoadBalancerName: text(aws.ToString(lb.LoadBalancerName)),
			TargetGroupArn:   str(aws.ToString(lb.TargetGroupArn)),
		})
	}
	return d
}

func clusterDetails(c *ecstypes.Cluster) *types.AwsEcsClusterDetails {
	d := &types.AwsEcsClusterDetails{
		ClusterArn:                        str(aws.ToString(c.ClusterArn)),
		ClusterName:                       text(aws.ToString(c.ClusterName)),
		Status:                            str(aws.ToString(c.Status)),
		CapacityProviders:                 nonEmpty(c.CapacityProviders),
		ActiveServicesCount:               aws.Int32(c.ActiveServicesCount),
		RegisteredContainerInstancesCount: aws.Int32(c.RegisteredContainerInstancesCount),
		RunningTasksCount:                 aws.Int32(c.RunningTasksCount),
	}
	for _, s := range c.Settings {
		d.ClusterSettings = append(d.ClusterSettings, types.AwsEcsClusterClusterSettingsDetails{
			Name: str(string(s.Name)), Value: str(aws.ToString(s.Value)),
		})
	}
	for _, s := range c.DefaultCapacityProviderStrategy {
		d.DefaultCapacityProviderStrategy = append(d.DefaultCapacityProviderStrategy, types.AwsEcsClusterDefaultCapacityProviderStrategyDetails{
			CapacityProvider: str(aws.ToString(s.CapacityProvider)), Base: aws.Int32(s.Base), Weight: aws.Int32(s.Weight),
		})
	}
	if c.Configuration != nil && c.Configuration.ExecuteCommandConfiguration != nil {
		x := c.Configuration.ExecuteCommandConfiguration
		ex := &types.AwsEcsClusterConfigurationExecuteCommandConfigurationDetails{
			KmsKeyId: str(aws.ToString(x.KmsKeyId)),
			Logging:  str(string(x.Logging)),
		}
		if lc := x.LogConfiguration; lc != nil {
			ex.LogConfiguration = &types.AwsEcsClusterConfigurationExecuteCommandConfigurationLogConfigurationDetails{
				CloudWatchEncryptionEnabled: aws.Bool(lc.CloudWatchEncryptionEnabled),
				CloudWatchLogGroupName:      text(aws.ToString(lc.CloudWatchLogGroupName)),
				S3BucketName:                str(aws.ToString(lc.S3BucketName)),
				S3EncryptionEnabled:         aws.Bool(lc.S3EncryptionEnabled),
				S3KeyPrefix:                 text(aws.ToString(lc.S3KeyPrefix)),
			}
		}
		d.Configuration = &types.AwsEcsClusterConfigurationDetails{ExecuteCommandConfiguration: ex}
	}
	return d
}
