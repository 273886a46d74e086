package source

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/testenv/awstest"
)

// countingELB counts the calls that reach Elastic Load Balancing.
type countingELB struct {
	ELBAPI
	calls int
}

func (c *countingELB) DescribeTargetGroups(ctx context.Context, in *elb.DescribeTargetGroupsInput, o ...func(*elb.Options)) (*elb.DescribeTargetGroupsOutput, error) {
	c.calls++
	return c.ELBAPI.DescribeTargetGroups(ctx, in, o...)
}

func (c *countingELB) DescribeLoadBalancers(ctx context.Context, in *elb.DescribeLoadBalancersInput, o ...func(*elb.Options)) (*elb.DescribeLoadBalancersOutput, error) {
	c.calls++
	return c.ELBAPI.DescribeLoadBalancers(ctx, in, o...)
}

// A service's target group is internet-facing when an internet-facing load balancer forwards to it: read per
// service (an event) and from one reading of every load balancer (a sweep), with the same answer.
func TestExposeTargets(t *testing.T) {
	srv := awstest.Emulator(t)
	cfg := awstest.Config(srv.URL, "us-east-1")
	ctx := context.Background()
	ec := ec2.NewFromConfig(cfg)
	vpc, err := ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	var subnets []string
	for i, az := range []string{"us-east-1a", "us-east-1b"} {
		sub, err := ec.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, AvailabilityZone: aws.String(az),
			CidrBlock: aws.String(fmt.Sprintf("10.1.%d.0/24", i))})
		if err != nil {
			t.Fatal(err)
		}
		subnets = append(subnets, aws.ToString(sub.Subnet.SubnetId))
	}
	lbc := elb.NewFromConfig(cfg)
	group := func(name string) string {
		out, err := lbc.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String(name), Protocol: elbtypes.ProtocolEnumHttp,
			Port: aws.Int32(80), VpcId: vpc.Vpc.VpcId, TargetType: elbtypes.TargetTypeEnumIp})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.TargetGroups[0].TargetGroupArn)
	}
	front := func(name string, scheme elbtypes.LoadBalancerSchemeEnum, tg string) {
		out, err := lbc.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String(name), Scheme: scheme, Subnets: subnets})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := lbc.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: out.LoadBalancers[0].LoadBalancerArn,
			Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(80),
			DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tg)}}}); err != nil {
			t.Fatal(err)
		}
	}
	public, private, idle := group("public"), group("private"), group("idle")
	front("edge", elbtypes.LoadBalancerSchemeEnumInternetFacing, public)
	front("inner", elbtypes.LoadBalancerSchemeEnumInternal, private)
	gone := "arn:aws:elasticloadbalancing:us-east-1:" + account + ":targetgroup/gone/0123456789abcdef"

	service := func(tgs ...string) *model.Service {
		s := &model.Service{Svc: ecstypes.Service{ServiceArn: aws.String("arn:aws:ecs:us-east-1:" + account + ":service/prod/web")}}
		for _, tg := range tgs {
			s.Svc.LoadBalancers = append(s.Svc.LoadBalancers, ecstypes.LoadBalancer{TargetGroupArn: aws.String(tg)})
		}
		return s
	}
	cases := []struct {
		name string
		tgs  []string
		want string
	}{
		{"behind an internet-facing load balancer", []string{public}, fmt.Sprint(map[string]bool{public: true})},
		{"behind an internal one", []string{private}, fmt.Sprint(map[string]bool{})},
		{"a target group no load balancer forwards to", []string{idle}, fmt.Sprint(map[string]bool{})},
		{"both, and a target group that is gone", []string{private, gone, public}, fmt.Sprint(map[string]bool{public: true})},
	}
	for _, sweep := range []bool{false, true} {
		api := &countingELB{ELBAPI: lbc}
		src := &Source{ELB: api}
		if sweep {
			if err := src.ReadLoadBalancers(ctx); err != nil {
				t.Fatal(err)
			}
		}
		read := api.calls
		for _, c := range cases {
			svc := service(c.tgs...)
			if err := src.exposeTargets(ctx, svc); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := fmt.Sprint(svc.InternetFacing); got != c.want {
				t.Errorf("sweep %v, %s: internet-facing target groups %s, want %s", sweep, c.name, got, c.want)
			}
		}
		if sweep && api.calls != read {
			t.Errorf("after reading every load balancer, services made %d more calls, want none", api.calls-read)
		}
		if sweep && read != 2 {
			t.Errorf("reading every load balancer and target group took %d calls, want 2", read)
		}
	}
	// A service with no target group makes no call and is left unread.
	api := &countingELB{ELBAPI: lbc}
	svc := service()
	if err := (&Source{ELB: api}).exposeTargets(ctx, svc); err != nil || api.calls != 0 || svc.InternetFacing != nil {
		t.Errorf("a service without load balancers: %d calls, %v, error %v", api.calls, svc.InternetFacing, err)
	}
}
