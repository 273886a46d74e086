package source

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// ELBAPI is the part of the Elastic Load Balancing (v2) API that says which load balancers forward to a target
// group, and whether they face the internet.
type ELBAPI interface {
	DescribeTargetGroups(context.Context, *elb.DescribeTargetGroupsInput, ...func(*elb.Options)) (*elb.DescribeTargetGroupsOutput, error)
	DescribeLoadBalancers(context.Context, *elb.DescribeLoadBalancersInput, ...func(*elb.Options)) (*elb.DescribeLoadBalancersOutput, error)
}

// elbBatch is the most ARNs one describe call names (API reference, DescribeLoadBalancers: LoadBalancerArns "Maximum
// number of 20 items"; the same bound is used for TargetGroupArns).
const elbBatch = 20

// ReadLoadBalancers reads every load balancer and target group of the account and region once (paged, 400 a
// page, the API's most), so that the services and task sets described afterwards learn which of their target groups
// an internet-facing load balancer forwards to without a call of their own. A sweep calls it before the estate.
func (s *Source) ReadLoadBalancers(ctx context.Context) error {
	if s.ELB == nil {
		return nil
	}
	facing := map[string]bool{}
	lbs := elb.NewDescribeLoadBalancersPaginator(s.ELB, &elb.DescribeLoadBalancersInput{PageSize: aws.Int32(400)})
	for lbs.HasMorePages() {
		page, err := lbs.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe load balancers: %w", err)
		}
		for _, lb := range page.LoadBalancers {
			facing[aws.ToString(lb.LoadBalancerArn)] = lb.Scheme == elbtypes.LoadBalancerSchemeEnumInternetFacing
		}
	}
	fronted := map[string]bool{}
	tgs := elb.NewDescribeTargetGroupsPaginator(s.ELB, &elb.DescribeTargetGroupsInput{PageSize: aws.Int32(400)})
	for tgs.HasMorePages() {
		page, err := tgs.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe target groups: %w", err)
		}
		for _, tg := range page.TargetGroups {
			fronted[aws.ToString(tg.TargetGroupArn)] = slices.ContainsFunc(tg.LoadBalancerArns, func(a string) bool { return facing[a] })
		}
	}
	s.fronted = fronted
	return nil
}

// targetGroups returns the target groups a service (with its task sets) or a task set registers its tasks with.
func targetGroups(r model.Resource) []string {
	var lbs []types.LoadBalancer
	switch v := r.(type) {
	case *model.Service:
		lbs = append(lbs, v.Svc.LoadBalancers...)
		for _, ts := range v.Svc.TaskSets {
			lbs = append(lbs, ts.LoadBalancers...)
		}
	case *model.TaskSet:
		lbs = v.Set.LoadBalancers
	}
	var out []string
	for _, lb := range lbs {
		if a := aws.ToString(lb.TargetGroupArn); a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// exposeTargets sets which of a service's or task set's target groups an internet-facing load balancer forwards to
// (model.Service.InternetFacing), from what ReadLoadBalancers read, or else by describing its target groups and
// their load balancers. Without an ELB client nothing is read and the field stays nil. A Classic Load Balancer
// (loadBalancerName, no target group) is not read.
func (s *Source) exposeTargets(ctx context.Context, r model.Resource) error {
	tgs := targetGroups(r)
	if s.ELB == nil || len(tgs) == 0 {
		return nil
	}
	fronted := map[string]bool{}
	if s.fronted != nil {
		for _, tg := range tgs {
			if s.fronted[tg] {
				fronted[tg] = true
			}
		}
	} else {
		var err error
		if fronted, err = s.describeTargets(ctx, tgs); err != nil {
			return fmt.Errorf("read the load balancers of %s: %w", r.ID(), err)
		}
	}
	switch v := r.(type) {
	case *model.Service:
		v.InternetFacing = fronted
	case *model.TaskSet:
		v.InternetFacing = fronted
	}
	return nil
}

// describeTargets describes target groups and the load balancers that forward to them, and returns those an
// internet-facing one fronts. A target group that is gone fronts nothing.
func (s *Source) describeTargets(ctx context.Context, tgs []string) (map[string]bool, error) {
	fronted := map[string]bool{}
	lbOf := map[string][]string{}
	for start := 0; start < len(tgs); start += elbBatch {
		part := tgs[start:min(start+elbBatch, len(tgs))]
		out, err := s.ELB.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{TargetGroupArns: part})
		if errorCode(err) == "TargetGroupNotFound" {
			if len(part) == 1 {
				continue
			}
			// One of them is gone: ask for each alone.
			for _, tg := range part {
				one, err := s.describeTargets(ctx, []string{tg})
				if err != nil {
					return nil, err
				}
				maps.Copy(fronted, one)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("describe target groups: %w", err)
		}
		for _, tg := range out.TargetGroups {
			lbOf[aws.ToString(tg.TargetGroupArn)] = tg.LoadBalancerArns
		}
	}
	var arns []string
	for _, tg := range model.SortedKeys(lbOf) {
		for _, a := range lbOf[tg] {
			if !slices.Contains(arns, a) {
				arns = append(arns, a)
			}
		}
	}
	facing := map[string]bool{}
	for start := 0; start < len(arns); start += elbBatch {
		part := arns[start:min(start+elbBatch, len(arns))]
		out, err := s.ELB.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: part})
		if err != nil {
			return nil, fmt.Errorf("describe load balancers: %w", err)
		}
		for _, lb := range out.LoadBalancers {
			facing[aws.ToString(lb.LoadBalancerArn)] = lb.Scheme == elbtypes.LoadBalancerSchemeEnumInternetFacing
		}
	}
	for tg, lbs := range lbOf {
		if slices.ContainsFunc(lbs, func(a string) bool { return facing[a] }) {
			fronted[tg] = true
		}
	}
	return fronted, nil
}
