package lambdafn_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/ecsaudit/ecsaudit/internal/asff"
)

// A service without public IPs behind an internet-facing load balancer is reachable from the internet: its event
// reads the load balancers in front of its target group, and the revision's findings rise and say why.
func TestServiceBehindInternetFacingLoadBalancer(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	for _, ev := range []string{"ecs-register-task-definition.json", "ecs-create-cluster.json"} {
		if err := step(t, e, ev).Apply(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	ec := ec2.NewFromConfig(e.Config)
	vpc, err := ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.2.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	var subnets []string
	for i, az := range []string{"us-east-1a", "us-east-1b"} {
		sub, err := ec.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, AvailabilityZone: aws.String(az),
			CidrBlock: aws.String(fmt.Sprintf("10.2.%d.0/24", i))})
		if err != nil {
			t.Fatal(err)
		}
		subnets = append(subnets, aws.ToString(sub.Subnet.SubnetId))
	}
	sg, err := ec.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: vpc.Vpc.VpcId, GroupName: aws.String("web"),
		Description: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	lbc := elb.NewFromConfig(e.Config)
	tg, err := lbc.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("web"), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(8080), VpcId: vpc.Vpc.VpcId, TargetType: elbtypes.TargetTypeEnumIp})
	if err != nil {
		t.Fatal(err)
	}
	tgARN := tg.TargetGroups[0].TargetGroupArn
	lb, err := lbc.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("edge"),
		Scheme: elbtypes.LoadBalancerSchemeEnumInternetFacing, Subnets: subnets})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lbc.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(80),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tgARN}}}); err != nil {
		t.Fatal(err)
	}
	client := ecs.NewFromConfig(e.Config)
	d, err := client.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web:7")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("production"), ServiceName: aws.String("web"),
		TaskDefinition: aws.String("web:7"), DesiredCount: aws.Int32(2), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
			Subnets: subnets, SecurityGroups: []string{aws.ToString(sg.GroupId)}, AssignPublicIp: ecstypes.AssignPublicIpDisabled}},
		LoadBalancers: []ecstypes.LoadBalancer{{TargetGroupArn: tgARN, ContainerName: d.TaskDefinition.ContainerDefinitions[0].Name,
			ContainerPort: aws.Int32(8080)}}}); err != nil {
		t.Fatal(err)
	}
	deliver(t, e, "TaskDefinitionAuditor", "ecs-create-service.json")
	deliver(t, e, "TaskDefinitionAuditor", "ecs-register-task-definition.json")
	web7 := active(t, findings(t, e, "task-definition/web:7"))
	if len(web7) == 0 {
		t.Fatal("no active findings on web:7")
	}
	raised := 0
	for _, f := range web7 {
		c := f.FindingProviderFields.Criticality
		if !strings.Contains(aws.ToString(f.Description), "runs in service web of cluster production behind an internet-facing load balancer") ||
			c == nil || *c != asff.CriticalityPublic {
			t.Errorf("%s on web:7: %q, criticality %v; want the service behind an internet-facing load balancer, %d",
				aws.ToString(f.GeneratorId), aws.ToString(f.Description), c, asff.CriticalityPublic)
		}
		if strings.Contains(f.ProductFields[asff.FieldSeverityContext], "(an internet-facing load balancer)") {
			raised++
		}
	}
	if raised == 0 {
		t.Error("no finding of web:7 rose for the internet-facing load balancer")
	}
}
