package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
)

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestShimECSDescribeLimits(t *testing.T) {
	_, cfg := startShim(t)
	ctx := context.Background()
	c := ecs.NewFromConfig(cfg)
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("lim")}); err != nil {
		t.Fatal(err)
	}
	names := func(n int, prefix string) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("%s%d", prefix, i))
		}
		return out
	}
	_, err := c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("lim"), Services: names(11, "svc")})
	if apiCode(err) != "InvalidParameterException" {
		t.Errorf("DescribeServices with 11 names: %v, want InvalidParameterException", err)
	}
	if _, err := c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("lim"), Services: names(10, "svc")}); err != nil {
		t.Errorf("DescribeServices with 10 names: %v", err)
	}
	_, err = c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: names(101, "c")})
	if apiCode(err) != "InvalidParameterException" {
		t.Errorf("DescribeClusters with 101 names: %v, want InvalidParameterException", err)
	}
	if _, err := c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: names(100, "c")}); err != nil {
		t.Errorf("DescribeClusters with 100 names: %v", err)
	}
	_, err = c.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{Cluster: aws.String("lim"), ContainerInstances: names(101, "ci")})
	if apiCode(err) != "InvalidParameterException" {
		t.Errorf("DescribeContainerInstances with 101 names: %v, want InvalidParameterException", err)
	}
}

func TestShimECSListServicesPages(t *testing.T) {
	_, cfg := startShim(t)
	ctx := context.Background()
	c := ecs.NewFromConfig(cfg)
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("pages")}); err != nil {
		t.Fatal(err)
	}
	for i := range 7 {
		if _, err := c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("pages"), ServiceName: aws.String(fmt.Sprintf("s%d", i)),
			DesiredCount: aws.Int32(0)}); err != nil {
			t.Fatal(err)
		}
	}
	first, err := c.ListServices(ctx, &ecs.ListServicesInput{Cluster: aws.String("pages"), MaxResults: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.ServiceArns) != 3 || first.NextToken == nil {
		t.Fatalf("first page: %d services, nextToken %v; want 3 and a token", len(first.ServiceArns), first.NextToken)
	}
	seen := map[string]bool{}
	p := ecs.NewListServicesPaginator(c, &ecs.ListServicesInput{Cluster: aws.String("pages"), MaxResults: aws.Int32(3)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, a := range page.ServiceArns {
			seen[a] = true
		}
	}
	if pages != 3 || len(seen) != 7 {
		t.Errorf("paged %d times over %d services; want 3 pages, 7 services", pages, len(seen))
	}
	// A deleted service is no longer listed.
	if _, err := c.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String("pages"), Service: aws.String("s0")}); err != nil {
		t.Fatal(err)
	}
	all, err := c.ListServices(ctx, &ecs.ListServicesInput{Cluster: aws.String("pages"), MaxResults: aws.Int32(100)})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.ServiceArns) != 6 {
		t.Errorf("after deleting one of 7 services, %d are listed", len(all.ServiceArns))
	}
}

func TestShimECSClusterSettingsExecAndAttributes(t *testing.T) {
	_, cfg := startShim(t)
	ctx := context.Background()
	c := ecs.NewFromConfig(cfg)
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("set")}); err != nil {
		t.Fatal(err)
	}
	// UpdateClusterSettings: kept and merged into DescribeClusters.
	up, err := c.UpdateClusterSettings(ctx, &ecs.UpdateClusterSettingsInput{Cluster: aws.String("set"),
		Settings: []ecstypes.ClusterSetting{{Name: ecstypes.ClusterSettingNameContainerInsights, Value: aws.String("enabled")}}})
	if err != nil {
		t.Fatalf("UpdateClusterSettings: %v", err)
	}
	if got := settingOf(up.Cluster); got != "enabled" {
		t.Errorf("UpdateClusterSettings answered containerInsights %q, want enabled", got)
	}
	d, err := c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"set"}, Include: []ecstypes.ClusterField{ecstypes.ClusterFieldSettings}})
	if err != nil || len(d.Clusters) != 1 {
		t.Fatalf("DescribeClusters: %v", err)
	}
	if got := settingOf(&d.Clusters[0]); got != "enabled" {
		t.Errorf("DescribeClusters after UpdateClusterSettings: containerInsights %q, want enabled", got)
	}
	_, err = c.UpdateClusterSettings(ctx, &ecs.UpdateClusterSettingsInput{Cluster: aws.String("nope"),
		Settings: []ecstypes.ClusterSetting{{Name: ecstypes.ClusterSettingNameContainerInsights, Value: aws.String("enabled")}}})
	if apiCode(err) != "ClusterNotFoundException" {
		t.Errorf("UpdateClusterSettings of a missing cluster: %v, want ClusterNotFoundException", err)
	}

	// CreateService's enableExecuteCommand is applied.
	svc, err := c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("set"), ServiceName: aws.String("exec"),
		DesiredCount: aws.Int32(0), EnableExecuteCommand: true})
	if err != nil {
		t.Fatal(err)
	}
	if !svc.Service.EnableExecuteCommand {
		t.Error("CreateService answered enableExecuteCommand false")
	}
	ds, err := c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("set"), Services: []string{"exec"}})
	if err != nil || len(ds.Services) != 1 {
		t.Fatalf("DescribeServices: %v", err)
	}
	if !ds.Services[0].EnableExecuteCommand {
		t.Error("DescribeServices: enableExecuteCommand not kept")
	}

	// RegisterContainerInstance's attributes are applied.
	reg, err := c.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String("set"),
		InstanceIdentityDocument: aws.String(`{"instanceId":"` + runInstance(t, cfg) + `","region":"us-east-1"}`),
		Attributes:               []ecstypes.Attribute{{Name: aws.String("ecs.capability.privileged-container")}, {Name: aws.String("team"), Value: aws.String("red")}}})
	if err != nil {
		t.Fatal(err)
	}
	ci, err := c.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{Cluster: aws.String("set"),
		ContainerInstances: []string{aws.ToString(reg.ContainerInstance.ContainerInstanceArn)}})
	if err != nil || len(ci.ContainerInstances) != 1 {
		t.Fatalf("DescribeContainerInstances: %v", err)
	}
	attrs := map[string]string{}
	for _, a := range ci.ContainerInstances[0].Attributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	if _, ok := attrs["ecs.capability.privileged-container"]; !ok || attrs["team"] != "red" {
		t.Errorf("attributes after RegisterContainerInstance: %v", attrs)
	}
}

func TestShimECSDescribeAllCapacityProviders(t *testing.T) {
	_, cfg := startShim(t)
	ctx := context.Background()
	c := ecs.NewFromConfig(cfg)
	for i := range 12 {
		_, err := c.CreateCapacityProvider(ctx, &ecs.CreateCapacityProviderInput{Name: aws.String(fmt.Sprintf("cp%02d", i)),
			AutoScalingGroupProvider: &ecstypes.AutoScalingGroupProvider{
				AutoScalingGroupArn: aws.String(fmt.Sprintf("arn:aws:autoscaling:us-east-1:%s:autoScalingGroup:uuid:autoScalingGroupName/asg%d", account, i))}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteCapacityProvider(ctx, &ecs.DeleteCapacityProviderInput{CapacityProvider: aws.String("cp00")}); err != nil {
		t.Fatal(err)
	}
	var names []string
	in := &ecs.DescribeCapacityProvidersInput{}
	calls := 0
	for {
		out, err := c.DescribeCapacityProviders(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		calls++
		for _, p := range out.CapacityProviders {
			names = append(names, aws.ToString(p.Name))
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if len(names) != 11 || calls != 2 || names[0] != "cp01" {
		t.Errorf("described %v in %d calls; want cp01..cp11 in 2 calls", names, calls)
	}
}

// runInstance starts an EC2 instance in the emulator (moto registers container instances of existing instances only).
func runInstance(t *testing.T, cfg aws.Config) string {
	t.Helper()
	ctx := context.Background()
	ec := ec2.NewFromConfig(cfg)
	imgs, err := ec.DescribeImages(ctx, &ec2.DescribeImagesInput{})
	if err != nil || len(imgs.Images) == 0 {
		t.Fatalf("describe images: %v (%d images)", err, len(imgs.Images))
	}
	out, err := ec.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: imgs.Images[0].ImageId, MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	if err != nil {
		t.Fatalf("run instance: %v", err)
	}
	return aws.ToString(out.Instances[0].InstanceId)
}

func settingOf(c *ecstypes.Cluster) string {
	for _, s := range c.Settings {
		if s.Name == ecstypes.ClusterSettingNameContainerInsights {
			return aws.ToString(s.Value)
		}
	}
	return ""
}

// TestMissingTaskSetsAndInstances: a task set or container instance that is not there is a MISSING failure, as in
// AWS, not an empty answer or a server error.
func TestMissingTaskSetsAndInstances(t *testing.T) {
	_, cfg := startShim(t)
	c := ecs.NewFromConfig(cfg)
	ctx := context.Background()
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("gone")}); err != nil {
		t.Fatal(err)
	}
	td, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("f"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("a"), Image: aws.String("busybox:1"), Memory: aws.Int32(64)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("gone"), ServiceName: aws.String("web"),
		TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(0),
		DeploymentController: &ecstypes.DeploymentController{Type: ecstypes.DeploymentControllerTypeExternal}}); err != nil {
		t.Fatal(err)
	}
	set := "arn:aws:ecs:us-east-1:123456789012:task-set/gone/web/ecs-svc/1234567890123456"
	ts, err := c.DescribeTaskSets(ctx, &ecs.DescribeTaskSetsInput{Cluster: aws.String("gone"), Service: aws.String("web"), TaskSets: []string{set}})
	if err != nil || len(ts.TaskSets) != 0 || len(ts.Failures) != 1 || aws.ToString(ts.Failures[0].Arn) != set || aws.ToString(ts.Failures[0].Reason) != "MISSING" {
		t.Errorf("a missing task set: %+v %v", ts, err)
	}
	inst := "arn:aws:ecs:us-east-1:123456789012:container-instance/gone/0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	ci, err := c.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{Cluster: aws.String("gone"), ContainerInstances: []string{inst}})
	if err != nil || len(ci.ContainerInstances) != 0 || len(ci.Failures) != 1 || aws.ToString(ci.Failures[0].Reason) != "MISSING" {
		t.Errorf("a missing container instance: %+v %v", ci, err)
	}
}
