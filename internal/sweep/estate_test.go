package sweep_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/sweep"
)

// estate is a seeded ECS estate: two clusters, 13 services (12 in prod, so that describing them takes two calls), a
// task set, a capacity provider and a container instance.
type estate struct {
	prod, stage    string   // stage has Container Insights enabled with UpdateClusterSettings
	services       []string // prod's; services[0] assigns public IPs
	blue, taskSet  string   // stage's service with an external deployment controller, and its task set
	provider, host string
	subnet, sgroup string
	taskDefinition string
}

func (e *env) seedEstate(services int) *estate {
	e.t.Helper()
	ctx := context.Background()
	c := ecs.NewFromConfig(e.cfg)
	ec := ec2.NewFromConfig(e.cfg)
	es := &estate{}
	vpc, err := ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		e.t.Fatal(err)
	}
	sub, err := ec.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.0.1.0/24")})
	if err != nil {
		e.t.Fatal(err)
	}
	sg, err := ec.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: vpc.Vpc.VpcId, GroupName: aws.String("svc"), Description: aws.String("svc")})
	if err != nil {
		e.t.Fatal(err)
	}
	es.subnet, es.sgroup = aws.ToString(sub.Subnet.SubnetId), aws.ToString(sg.GroupId)
	e.repo("app", false)
	e.push("app", "1.0", 7)
	es.taskDefinition = e.register("app", image("app", ":1.0"), false)
	tags := []ecstypes.Tag{{Key: aws.String("owner"), Value: aws.String("team")}}
	for _, name := range []string{"prod", "stage"} {
		out, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(name), Tags: tags})
		if err != nil {
			e.t.Fatal(err)
		}
		if name == "prod" {
			es.prod = aws.ToString(out.Cluster.ClusterArn)
		} else {
			es.stage = aws.ToString(out.Cluster.ClusterArn)
		}
	}
	if _, err := c.UpdateClusterSettings(ctx, &ecs.UpdateClusterSettingsInput{Cluster: aws.String("stage"),
		Settings: []ecstypes.ClusterSetting{{Name: ecstypes.ClusterSettingNameContainerInsights, Value: aws.String("enabled")}}}); err != nil {
		e.t.Fatal(err)
	}
	for i := range services {
		es.services = append(es.services, e.service("prod", fmt.Sprintf("svc%02d", i), es, i == 0, nil))
	}
	es.blue = e.service("stage", "blue", es, false, &ecstypes.DeploymentController{Type: ecstypes.DeploymentControllerTypeExternal})
	ts, err := c.CreateTaskSet(ctx, &ecs.CreateTaskSetInput{Cluster: aws.String("stage"), Service: aws.String("blue"),
		TaskDefinition: aws.String(es.taskDefinition), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: network(es, true)})
	if err != nil {
		e.t.Fatal(err)
	}
	es.taskSet = aws.ToString(ts.TaskSet.TaskSetArn)
	cp, err := c.CreateCapacityProvider(ctx, &ecs.CreateCapacityProviderInput{Name: aws.String("asg"),
		AutoScalingGroupProvider: &ecstypes.AutoScalingGroupProvider{
			AutoScalingGroupArn:          aws.String("arn:aws:autoscaling:" + region + ":" + account + ":autoScalingGroup:uuid:autoScalingGroupName/asg"),
			ManagedTerminationProtection: ecstypes.ManagedTerminationProtectionDisabled}})
	if err != nil {
		e.t.Fatal(err)
	}
	es.provider = aws.ToString(cp.CapacityProvider.CapacityProviderArn)
	imgs, err := ec.DescribeImages(ctx, &ec2.DescribeImagesInput{})
	if err != nil || len(imgs.Images) == 0 {
		e.t.Fatalf("describe images: %v", err)
	}
	inst, err := ec.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: imgs.Images[0].ImageId, MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	if err != nil {
		e.t.Fatal(err)
	}
	reg, err := c.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String("stage"),
		InstanceIdentityDocument: aws.String(`{"instanceId":"` + aws.ToString(inst.Instances[0].InstanceId) + `","region":"` + region + `"}`),
		Attributes:               []ecstypes.Attribute{{Name: aws.String("ecs.capability.privileged-container")}}})
	if err != nil {
		e.t.Fatal(err)
	}
	es.host = aws.ToString(reg.ContainerInstance.ContainerInstanceArn)
	return es
}

func network(es *estate, public bool) *ecstypes.NetworkConfiguration {
	ip := ecstypes.AssignPublicIpDisabled
	if public {
		ip = ecstypes.AssignPublicIpEnabled
	}
	return &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
		Subnets: []string{es.subnet}, SecurityGroups: []string{es.sgroup}, AssignPublicIp: ip}}
}

func (e *env) service(cluster, name string, es *estate, public bool, ctl *ecstypes.DeploymentController) string {
	e.t.Helper()
	in := &ecs.CreateServiceInput{Cluster: aws.String(cluster), ServiceName: aws.String(name), DesiredCount: aws.Int32(0),
		LaunchType: ecstypes.LaunchTypeFargate, PlatformVersion: aws.String("LATEST"), DeploymentController: ctl,
		NetworkConfiguration: network(es, public), Tags: []ecstypes.Tag{{Key: aws.String("owner"), Value: aws.String("team")}}}
	if ctl == nil {
		in.TaskDefinition = aws.String(es.taskDefinition)
	}
	out, err := ecs.NewFromConfig(e.cfg).CreateService(context.Background(), in)
	if err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(out.Service.ServiceArn)
}

// estateCalls returns the counts of the estate's describe calls.
func (e *env) estateCalls() map[string]int {
	out := map[string]int{}
	for _, api := range []string{"ecs:DescribeClusters", "ecs:DescribeServices", "ecs:DescribeContainerInstances", "ecs:DescribeCapacityProviders",
		"ecs:ListClusters", "ecs:ListServices", "ecs:ListContainerInstances", "ecs:DescribeTaskSets", "ecs:ListTasks", "ecs:DescribeTasks",
		"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTargetGroups"} {
		out[api] = e.throttle.Calls(api)
	}
	return out
}

// TestSweepAuditsTheEstate sweeps a seeded estate: the first sweep finds its findings in the API's batches (two
// DescribeServices calls for prod's 12 services, one for stage's; no call over a batch limit, which the shim would
// refuse), the second describes nothing again, and after a service is deleted the third archives its findings.
func TestSweepAuditsTheEstate(t *testing.T) {
	e := newEnv(t)
	es := e.seedEstate(12)
	sw := e.sweeper(sweep.Options{})
	runs := &state.Runs{DB: e.ddb, Table: table}
	sw.Runs = runs
	res := e.run(sw)
	if len(res.Unavailable) != 0 {
		t.Fatalf("not available: %+v", res.Unavailable)
	}
	first := e.estateCalls()
	// Every service, task set and cluster's standalone tasks are in the running index, which is marked complete.
	ctx := context.Background()
	if done, err := runs.Complete(ctx, account, region); err != nil || !done {
		t.Errorf("the running index is not marked complete after a sweep that read every listing (%v)", err)
	}
	revision := es.taskDefinition
	runnersOf := func() []string {
		rs, err := runs.Runners(ctx, revision)
		if err != nil {
			t.Fatal(err)
		}
		var arns []string
		for _, r := range rs {
			arns = append(arns, r.Service)
		}
		return arns
	}
	if got := runnersOf(); !contains(got, es.services[0]) {
		t.Errorf("runners of %s: %v, want %s among them", revision, got, es.services[0])
	}
	want := map[string]int{"ecs:DescribeClusters": 1, "ecs:DescribeServices": 3, "ecs:DescribeContainerInstances": 1,
		"ecs:DescribeCapacityProviders": 1, "ecs:ListClusters": 1, "ecs:DescribeTaskSets": 0}
	for api, n := range want {
		if first[api] != n {
			t.Errorf("first sweep: %d %s calls, want %d (all: %v)", first[api], api, n, first)
		}
	}
	// 12 services listed 5 a page (the test's page size) in prod, one in stage: 3 + 1 ListServices calls.
	if first["ecs:ListServices"] != 4 {
		t.Errorf("first sweep: %d ListServices calls, want 4", first["ecs:ListServices"])
	}
	for id, f := range map[string]string{
		es.services[0]: "ACTIVE FAILED service.public-ip",
		es.prod:        "ACTIVE FAILED cluster.container-insights-disabled",
		es.provider:    "ACTIVE FAILED capacity-provider.no-termination-protection",
		es.taskSet:     "ACTIVE FAILED taskset.public-ip",
	} {
		if got := e.findings(id); !contains(got, f) {
			t.Errorf("findings of %s: %v, want %q", id, got, f)
		}
	}
	// host.privileged-allowed is in the restricted profile, not reported by default: the instance is described and
	// recorded.
	if e.records("ESTATE#CONTAINER-INSTANCE")[es.host] == nil || e.records("ESTATE#TASK-SET")[es.taskSet] == nil {
		t.Errorf("the container instance or the task set has no sweep record")
	}
	if got := e.findings(es.stage); contains(got, "ACTIVE FAILED cluster.container-insights-disabled") {
		t.Errorf("stage has Container Insights enabled (UpdateClusterSettings), yet: %v", got)
	}
	if got := e.findings(es.services[1]); contains(got, "ACTIVE FAILED service.public-ip") {
		t.Errorf("a service without public IPs: %v", got)
	}

	// The second sweep lists and describes nothing unchanged again, and publishes nothing of the estate.
	e.sink.published = nil
	e.run(sw)
	second := e.estateCalls()
	for _, api := range []string{"ecs:DescribeClusters", "ecs:DescribeServices", "ecs:DescribeContainerInstances"} {
		if second[api] != first[api] {
			t.Errorf("second sweep: %d %s calls, want none", second[api]-first[api], api)
		}
	}
	for _, id := range e.sink.published {
		if id == es.provider || id == es.prod || id == es.taskSet || contains(es.services, id) {
			t.Errorf("second sweep published %s, unchanged", id)
		}
	}

	// A deleted service is archived by the next sweep; its task set-less siblings stay.
	c := ecs.NewFromConfig(e.cfg)
	if _, err := c.DeleteService(context.Background(), &ecs.DeleteServiceInput{Cluster: aws.String("prod"), Service: aws.String(es.services[0])}); err != nil {
		t.Fatal(err)
	}
	e.sink.archived = nil
	e.now = e.now.Add(time.Hour) // a later sweep: its observations replace the earlier ones
	e.run(sw)
	if !contains(e.sink.archived, es.services[0]) {
		t.Errorf("the deleted service was not archived: %v", e.sink.archived)
	}
	if got := runnersOf(); contains(got, es.services[0]) {
		t.Errorf("the deleted service still runs %s in the running index: %v", revision, got)
	}
	if got := e.findings(es.services[0]); contains(got, "ACTIVE FAILED service.public-ip") {
		t.Errorf("the deleted service's findings stay active: %v", got)
	}
	for _, id := range []string{es.taskSet, es.host, es.prod, es.provider} {
		if contains(e.sink.archived, id) {
			t.Errorf("%s archived, yet it is still there", id)
		}
	}
}
