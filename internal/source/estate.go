package source

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// EstateAPI is the part of the ECS API that lists and describes the estate around task definitions. Container instances are
// described with their attributes; the API never returns an instance's user data.
type EstateAPI interface {
	DescribeServices(context.Context, *ecs.DescribeServicesInput, ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
	DescribeTaskSets(context.Context, *ecs.DescribeTaskSetsInput, ...func(*ecs.Options)) (*ecs.DescribeTaskSetsOutput, error)
	DescribeClusters(context.Context, *ecs.DescribeClustersInput, ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error)
	DescribeCapacityProviders(context.Context, *ecs.DescribeCapacityProvidersInput, ...func(*ecs.Options)) (*ecs.DescribeCapacityProvidersOutput, error)
	DescribeContainerInstances(context.Context, *ecs.DescribeContainerInstancesInput, ...func(*ecs.Options)) (*ecs.DescribeContainerInstancesOutput, error)
	ListClusters(context.Context, *ecs.ListClustersInput, ...func(*ecs.Options)) (*ecs.ListClustersOutput, error)
	ListServices(context.Context, *ecs.ListServicesInput, ...func(*ecs.Options)) (*ecs.ListServicesOutput, error)
	ListContainerInstances(context.Context, *ecs.ListContainerInstancesInput, ...func(*ecs.Options)) (*ecs.ListContainerInstancesOutput, error)
	ListTasks(context.Context, *ecs.ListTasksInput, ...func(*ecs.Options)) (*ecs.ListTasksOutput, error)
	DescribeTasks(context.Context, *ecs.DescribeTasksInput, ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error)
}

// reader describes one resource of a kind by its ARN.
type reader func(ctx context.Context, api EstateAPI, arn string) (model.Resource, error)

// readers holds how each estate kind is read; Describe is the one entry point.
var readers = map[*model.Kind]reader{
	model.KindService:           readService,
	model.KindTaskSet:           readTaskSet,
	model.KindCluster:           readCluster,
	model.KindCapacityProvider:  readCapacityProvider,
	model.KindContainerInstance: readContainerInstance,
}

// Describe reads one resource of kind k by its ARN. It returns ErrNotFound (wrapped) when ECS answers that the
// resource is missing or inactive (deleted), and any other failure as an error to retry.
func (s *Source) Describe(ctx context.Context, k *model.Kind, arn string) (model.Resource, error) {
	read, ok := readers[k]
	if !ok || s.Estate == nil {
		return nil, fmt.Errorf("describe %s: no reader for the kind", arn)
	}
	r, err := read(ctx, s.Estate, arn)
	switch errorCode(err) {
	case "ClusterNotFoundException", "ServiceNotFoundException", "ServiceNotActiveException", "TaskSetNotFoundException":
		// The resource, or the cluster or service it belonged to, is gone.
		err = fmt.Errorf("%w (%s)", ErrNotFound, errorCode(err))
	}
	if err != nil {
		return nil, fmt.Errorf("describe %s %s: %w", k.Name, arn, err)
	}
	if err := s.exposeTargets(ctx, r); err != nil {
		return nil, err
	}
	ref := r.Ident()
	s.identify(ref, arn)
	ref.Source = "ecs:Describe (" + k.Name + ")"
	return r, nil
}

// arnParts returns the parts of an ECS ARN's resource after its type: "service/prod/web" gives [prod web].
func arnParts(arn string) []string {
	a, _ := model.ParseARN(arn)
	_, rest, _ := strings.Cut(a.Resource, "/")
	return strings.Split(rest, "/")
}

// clusterOf returns the cluster an ARN of the long format names (type/cluster/...), or "" for the short format of
// the default cluster (type/id).
func clusterOf(arn string, longParts int) *string {
	if p := arnParts(arn); len(p) >= longParts {
		return aws.String(p[0])
	}
	return nil
}

// failed turns an answer that holds no resource into ErrNotFound when ECS says MISSING, else an error.
func failed(fs []ecstypes.Failure) error {
	for _, f := range fs {
		if aws.ToString(f.Reason) == "MISSING" {
			return fmt.Errorf("%w (MISSING)", ErrNotFound)
		}
	}
	if len(fs) > 0 {
		return fmt.Errorf("ECS answered %s: %s", aws.ToString(fs[0].Reason), aws.ToString(fs[0].Detail))
	}
	return errors.New("ECS answered with no resource and no failure")
}

func inactive(status string) error {
	if status == "INACTIVE" {
		return fmt.Errorf("%w (INACTIVE)", ErrNotFound)
	}
	return nil
}

func readService(ctx context.Context, api EstateAPI, arn string) (model.Resource, error) {
	out, err := api.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: clusterOf(arn, 2), Services: []string{arn},
		Include: []ecstypes.ServiceField{ecstypes.ServiceFieldTags}})
	if err != nil {
		return nil, err
	}
	if len(out.Services) == 0 {
		return nil, failed(out.Failures)
	}
	svc := out.Services[0]
	if err := inactive(aws.ToString(svc.Status)); err != nil {
		return nil, err
	}
	return &model.Service{Svc: svc, Ref: model.Ref{Tags: model.TagsFromECS(svc.Tags)}, TagsKnown: true}, nil
}

func readTaskSet(ctx context.Context, api EstateAPI, arn string) (model.Resource, error) {
	p := arnParts(arn) // cluster/service/id...
	if len(p) < 3 {
		return nil, fmt.Errorf("%q names no cluster and service", arn)
	}
	out, err := api.DescribeTaskSets(ctx, &ecs.DescribeTaskSetsInput{Cluster: aws.String(p[0]), Service: aws.String(p[1]),
		TaskSets: []string{arn}, Include: []ecstypes.TaskSetField{ecstypes.TaskSetFieldTags}})
	if err != nil {
		return nil, err
	}
	if len(out.TaskSets) == 0 {
		return nil, failed(out.Failures)
	}
	ts := out.TaskSets[0]
	return &model.TaskSet{Set: ts, Ref: model.Ref{Tags: model.TagsFromECS(ts.Tags)}}, nil
}

func readCluster(ctx context.Context, api EstateAPI, arn string) (model.Resource, error) {
	out, err := api.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{arn},
		Include: []ecstypes.ClusterField{ecstypes.ClusterFieldSettings, ecstypes.ClusterFieldConfigurations, ecstypes.ClusterFieldTags}})
	if err != nil {
		return nil, err
	}
	if len(out.Clusters) == 0 {
		return nil, failed(out.Failures)
	}
	c := out.Clusters[0]
	if err := inactive(aws.ToString(c.Status)); err != nil {
		return nil, err
	}
	return &model.Cluster{Cluster: c, Ref: model.Ref{Tags: model.TagsFromECS(c.Tags)}, SettingsKnown: true, TagsKnown: true}, nil
}

func readCapacityProvider(ctx context.Context, api EstateAPI, arn string) (model.Resource, error) {
	out, err := api.DescribeCapacityProviders(ctx, &ecs.DescribeCapacityProvidersInput{CapacityProviders: []string{arn},
		Include: []ecstypes.CapacityProviderField{ecstypes.CapacityProviderFieldTags}})
	if err != nil {
		return nil, err
	}
	if len(out.CapacityProviders) == 0 {
		return nil, failed(out.Failures)
	}
	p := out.CapacityProviders[0]
	if err := inactive(string(p.Status)); err != nil {
		return nil, err
	}
	return &model.CapacityProvider{Provider: p, Ref: model.Ref{Tags: model.TagsFromECS(p.Tags)}}, nil
}

func readContainerInstance(ctx context.Context, api EstateAPI, arn string) (model.Resource, error) {
	out, err := api.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{Cluster: clusterOf(arn, 2),
		ContainerInstances: []string{arn}, Include: []ecstypes.ContainerInstanceField{ecstypes.ContainerInstanceFieldTags}})
	if err != nil {
		return nil, err
	}
	if len(out.ContainerInstances) == 0 {
		return nil, failed(out.Failures)
	}
	ci := out.ContainerInstances[0]
	if err := inactive(aws.ToString(ci.Status)); err != nil {
		return nil, err
	}
	if ci.Attributes == nil {
		ci.Attributes = []ecstypes.Attribute{} // described: no attribute means none, not unknown
	}
	return &model.ContainerInstance{Instance: ci, Ref: model.Ref{Tags: model.TagsFromECS(ci.Tags)}}, nil
}
