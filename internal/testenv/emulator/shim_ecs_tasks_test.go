package emulator_test

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// runTasks creates cluster, registers a Fargate revision and runs n tasks of it there.
func runTasks(t *testing.T, cfg aws.Config, cluster string, n int) []string {
	t.Helper()
	ctx := context.Background()
	c := ecs.NewFromConfig(cfg)
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(cluster)}); err != nil {
		t.Fatal(err)
	}
	td, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("job-" + cluster),
		NetworkMode: ecstypes.NetworkModeAwsvpc, RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("busybox"), Memory: aws.Int32(128)}}})
	if err != nil {
		t.Fatal(err)
	}
	subnets, err := ec2.NewFromConfig(cfg).DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if err != nil || len(subnets.Subnets) == 0 {
		t.Fatalf("the emulator's default subnets: %v", err)
	}
	out, err := c.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String(cluster), TaskDefinition: td.TaskDefinition.TaskDefinitionArn,
		Count: aws.Int32(int32(n)), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
			Subnets: []string{aws.ToString(subnets.Subnets[0].SubnetId)}, SecurityGroups: []string{}}}})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, task := range out.Tasks {
		arns = append(arns, aws.ToString(task.TaskArn))
	}
	sort.Strings(arns)
	return arns
}

// ListTasks pages and keeps to the cluster named; DescribeTasks keeps to its limit and cluster, and answers MISSING.
func TestShimECSTasks(t *testing.T) {
	_, cfg := startShim(t)
	ctx := context.Background()
	c := ecs.NewFromConfig(cfg)
	web := runTasks(t, cfg, "web", 7)
	other := runTasks(t, cfg, "web-batch", 2) // moto's ListTasks would list these under "web" too

	var listed []string
	pages := 0
	p := ecs.NewListTasksPaginator(c, &ecs.ListTasksInput{Cluster: aws.String("web"), MaxResults: aws.Int32(3),
		DesiredStatus: ecstypes.DesiredStatusRunning})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		listed = append(listed, page.TaskArns...)
	}
	sort.Strings(listed)
	if pages != 3 || fmt.Sprint(listed) != fmt.Sprint(web) {
		t.Errorf("ListTasks of web: %d pages, %v; want 3 pages of %v", pages, listed, web)
	}
	_, err := c.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("nope")})
	if apiCode(err) != "ClusterNotFoundException" {
		t.Errorf("ListTasks of a missing cluster: %v, want ClusterNotFoundException", err)
	}

	gone := "arn:aws:ecs:us-east-1:123456789012:task/web/00000000000000000000000000000000"
	out, err := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("web"), Tasks: append([]string{gone, other[0]}, web[:2]...)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tasks) != 2 {
		t.Errorf("DescribeTasks in web described %d tasks, want web's 2", len(out.Tasks))
	}
	missing := map[string]bool{}
	for _, f := range out.Failures {
		if aws.ToString(f.Reason) == "MISSING" {
			missing[aws.ToString(f.Arn)] = true
		}
	}
	if !missing[gone] || !missing[other[0]] || len(missing) != 2 {
		t.Errorf("DescribeTasks failures %v, want MISSING for %s and %s (another cluster's)", missing, gone, other[0])
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("task%d", i)
	}
	_, err = c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("web"), Tasks: many})
	if apiCode(err) != "InvalidParameterException" {
		t.Errorf("DescribeTasks with 101 tasks: %v, want InvalidParameterException", err)
	}
}
