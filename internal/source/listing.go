package source

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// Listing says how the sweep finds every resource of one estate kind: what scopes the listing, how many names one
// describe call takes, and the calls. The table (Listings) is the only place that knows; the sweep handles every
// listing alike. A new kind adds one entry here.
type Listing struct {
	// Kind is the kind listed.
	Kind *model.Kind
	// In is the kind whose resources scope the listing (services and container instances are listed per cluster);
	// nil for a listing of the whole account and region.
	In *model.Kind
	// With are the kinds that come in the describe answer of this kind, with no call of their own (a service's task
	// sets).
	With []*model.Kind
	// Batch is the most names one describe call takes (the API reference's limit).
	Batch int
	// list returns the ARNs of the kind within scope (paged); nil when the listing describes (describeAll).
	list func(ctx context.Context, api EstateAPI, scope string) ([]string, error)
	// describe describes at most Batch ARNs within scope.
	describe func(ctx context.Context, api EstateAPI, scope string, arns []string) ([]model.Resource, []ecstypes.Failure, error)
	// describeAll lists by describing, for kinds whose describe call pages through all of them.
	describeAll func(ctx context.Context, api EstateAPI) ([]model.Resource, error)
}

// Describes reports whether the listing describes what it lists (no separate describe call).
func (l *Listing) Describes() bool { return l.describeAll != nil }

// listings is the estate as the sweep reads it, parents before the kinds they scope. Batch limits are the API
// reference's: DescribeClusters "up to 100 cluster names", DescribeServices "up to 10 services",
// DescribeContainerInstances "up to 100 container instances" (API_DescribeClusters.html, API_DescribeServices.html,
// API_DescribeContainerInstances.html). DescribeCapacityProviders pages at most 10 per call (maxResults 1 to 10).
var listings = []*Listing{
	{Kind: model.KindCluster, Batch: 100, list: listClusters, describe: describeClusters},
	{Kind: model.KindCapacityProvider, describeAll: describeCapacityProviders},
	{Kind: model.KindService, In: model.KindCluster, With: []*model.Kind{model.KindTaskSet}, Batch: 10,
		list: listServices, describe: describeServices},
	{Kind: model.KindContainerInstance, In: model.KindCluster, Batch: 100, list: listContainerInstances,
		describe: describeContainerInstances},
}

// Listings returns how the sweep lists the estate, parents first.
func Listings() []*Listing { return listings }

// SweptKinds returns every kind the listings find (task sets included, through their services).
func SweptKinds() []*model.Kind {
	var out []*model.Kind
	for _, l := range listings {
		out = append(append(out, l.Kind), l.With...)
	}
	return out
}

// DescribedWith returns the ARN of the resource whose describe answer holds the resource arn (a task set's service),
// or "" when the resource is described by itself.
func DescribedWith(arn string) string {
	if model.KindOfARN(arn) != model.KindTaskSet {
		return ""
	}
	p := arnParts(arn) // cluster/service/id
	if len(p) < 3 {
		return ""
	}
	a, _ := model.ParseARN(arn)
	return "arn:" + a.Partition + ":ecs:" + a.Region + ":" + a.Account + ":service/" + p[0] + "/" + p[1]
}

// List returns the ARNs of the resources of l's kind within scope (a cluster ARN for listings In a kind), in full:
// an error means the listing is incomplete, except ErrNotFound (wrapped): the scope is gone.
func (s *Source) List(ctx context.Context, l *Listing, scope string) ([]string, error) {
	if s.Estate == nil || l.list == nil {
		return nil, fmt.Errorf("list %s: no listing for the kind", l.Kind.Name)
	}
	arns, err := l.list(ctx, s.Estate, scope)
	if errorCode(err) == "ClusterNotFoundException" {
		err = fmt.Errorf("%w (%s)", ErrNotFound, errorCode(err))
	}
	if err != nil {
		return nil, fmt.Errorf("list %ss %s: %w", l.Kind.Name, scope, err)
	}
	return arns, nil
}

// DescribeAll lists and describes every resource of a kind whose listing describes (capacity providers).
func (s *Source) DescribeAll(ctx context.Context, l *Listing) ([]model.Resource, error) {
	if s.Estate == nil || l.describeAll == nil {
		return nil, fmt.Errorf("describe %ss: no listing for the kind", l.Kind.Name)
	}
	rs, err := l.describeAll(ctx, s.Estate)
	if err != nil {
		return nil, fmt.Errorf("describe %ss: %w", l.Kind.Name, err)
	}
	for _, r := range rs {
		s.identify(r.Ident(), r.ID())
		r.Ident().Source = "ecs:Describe (" + l.Kind.Name + ")"
	}
	return rs, nil
}

// Described is the answer of describing listed resources.
type Described struct {
	// Found are the resources described, those that come with them (task sets) included.
	Found []model.Resource
	// Gone are the ARNs ECS answered MISSING, or described INACTIVE: deleted since they were listed.
	Gone []string
	// Failed are the ARNs that could not be described, with why.
	Failed map[string]string
}

// DescribeListed describes arns of l's kind within scope, in calls of at most l.Batch names. A call that fails
// leaves its names in Failed and the others are still described.
func (s *Source) DescribeListed(ctx context.Context, l *Listing, scope string, arns []string) Described {
	out := Described{Failed: map[string]string{}}
	for start := 0; start < len(arns); start += l.Batch {
		part := arns[start:min(start+l.Batch, len(arns))]
		if s.Estate == nil || l.describe == nil {
			for _, a := range part {
				out.Failed[a] = "no describe call for the kind"
			}
			continue
		}
		rs, fs, err := l.describe(ctx, s.Estate, scope, part)
		if err != nil {
			for _, a := range part {
				out.Failed[a] = err.Error()
			}
			continue
		}
		for _, f := range fs {
			if aws.ToString(f.Reason) == "MISSING" {
				out.Gone = append(out.Gone, aws.ToString(f.Arn))
			} else {
				out.Failed[aws.ToString(f.Arn)] = "ECS answered " + aws.ToString(f.Reason) + ": " + aws.ToString(f.Detail)
			}
		}
		for _, r := range rs {
			if status(r) == "INACTIVE" {
				out.Gone = append(out.Gone, r.ID())
				continue
			}
			if err := s.exposeTargets(ctx, r); err != nil {
				// What runs behind its load balancers is not known: not available, like a failed describe.
				out.Failed[r.ID()] = err.Error()
				continue
			}
			s.identify(r.Ident(), r.ID())
			r.Ident().Source = "ecs:Describe (" + r.Kind().Name + ")"
			out.Found = append(out.Found, r)
		}
	}
	return out
}

// status returns the lifecycle status of an estate resource ("ACTIVE", "INACTIVE", ...).
func status(r model.Resource) string {
	switch v := r.(type) {
	case *model.Cluster:
		return aws.ToString(v.Cluster.Status)
	case *model.Service:
		return aws.ToString(v.Svc.Status)
	case *model.ContainerInstance:
		return aws.ToString(v.Instance.Status)
	case *model.CapacityProvider:
		return string(v.Provider.Status)
	}
	return ""
}

func listClusters(ctx context.Context, api EstateAPI, _ string) ([]string, error) {
	var out []string
	p := ecs.NewListClustersPaginator(api, &ecs.ListClustersInput{MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.ClusterArns...)
	}
	return out, nil
}

func describeClusters(ctx context.Context, api EstateAPI, _ string, arns []string) ([]model.Resource, []ecstypes.Failure, error) {
	out, err := api.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: arns,
		Include: []ecstypes.ClusterField{ecstypes.ClusterFieldSettings, ecstypes.ClusterFieldConfigurations, ecstypes.ClusterFieldTags}})
	if err != nil {
		return nil, nil, err
	}
	var rs []model.Resource
	for _, c := range out.Clusters {
		rs = append(rs, &model.Cluster{Cluster: c, Ref: model.Ref{Tags: model.TagsFromECS(c.Tags)}, SettingsKnown: true, TagsKnown: true})
	}
	return rs, out.Failures, nil
}

func listServices(ctx context.Context, api EstateAPI, cluster string) ([]string, error) {
	var out []string
	p := ecs.NewListServicesPaginator(api, &ecs.ListServicesInput{Cluster: aws.String(cluster), MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.ServiceArns...)
	}
	return out, nil
}

// describeServices describes services with their tags; each service's task sets come in the same answer and are
// returned as resources of their own.
func describeServices(ctx context.Context, api EstateAPI, cluster string, arns []string) ([]model.Resource, []ecstypes.Failure, error) {
	out, err := api.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: arns,
		Include: []ecstypes.ServiceField{ecstypes.ServiceFieldTags}})
	if err != nil {
		return nil, nil, err
	}
	var rs []model.Resource
	for _, svc := range out.Services {
		rs = append(rs, &model.Service{Svc: svc, Ref: model.Ref{Tags: model.TagsFromECS(svc.Tags)}, TagsKnown: true})
		if strings.EqualFold(aws.ToString(svc.Status), "INACTIVE") {
			continue
		}
		for _, ts := range svc.TaskSets {
			rs = append(rs, &model.TaskSet{Set: ts, Ref: model.Ref{Tags: model.TagsFromECS(ts.Tags)}})
		}
	}
	return rs, out.Failures, nil
}

func listContainerInstances(ctx context.Context, api EstateAPI, cluster string) ([]string, error) {
	var out []string
	p := ecs.NewListContainerInstancesPaginator(api, &ecs.ListContainerInstancesInput{Cluster: aws.String(cluster), MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.ContainerInstanceArns...)
	}
	return out, nil
}

// describeContainerInstances describes instances with their attributes and tags; the API never returns an
// instance's user data.
func describeContainerInstances(ctx context.Context, api EstateAPI, cluster string, arns []string) ([]model.Resource, []ecstypes.Failure, error) {
	out, err := api.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{Cluster: aws.String(cluster),
		ContainerInstances: arns, Include: []ecstypes.ContainerInstanceField{ecstypes.ContainerInstanceFieldTags}})
	if err != nil {
		return nil, nil, err
	}
	var rs []model.Resource
	for _, ci := range out.ContainerInstances {
		if ci.Attributes == nil {
			ci.Attributes = []ecstypes.Attribute{} // described: no attribute means none, not unknown
		}
		rs = append(rs, &model.ContainerInstance{Instance: ci, Ref: model.Ref{Tags: model.TagsFromECS(ci.Tags)}})
	}
	return rs, out.Failures, nil
}

// describeCapacityProviders pages through every capacity provider of the account and region (10 per call, the
// API's most). FARGATE and FARGATE_SPOT are AWS's own, with nothing to configure: they are left out.
func describeCapacityProviders(ctx context.Context, api EstateAPI) ([]model.Resource, error) {
	var rs []model.Resource
	in := &ecs.DescribeCapacityProvidersInput{MaxResults: aws.Int32(10),
		Include: []ecstypes.CapacityProviderField{ecstypes.CapacityProviderFieldTags}}
	for {
		out, err := api.DescribeCapacityProviders(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, p := range out.CapacityProviders {
			if name := aws.ToString(p.Name); aws.ToString(p.CapacityProviderArn) == "" || name == "FARGATE" || name == "FARGATE_SPOT" ||
				p.Status == ecstypes.CapacityProviderStatusInactive {
				continue
			}
			rs = append(rs, &model.CapacityProvider{Provider: p, Ref: model.Ref{Tags: model.TagsFromECS(p.Tags)}})
		}
		if aws.ToString(out.NextToken) == "" {
			return rs, nil
		}
		in.NextToken = out.NextToken
	}
}
