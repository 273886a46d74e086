package source

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsaudit/ecsaudit/internal/pace"
)

// ECS meters its API per account and region in token buckets, one per group of actions ("Request throttling for
// the Amazon ECS API", https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html): the
// cluster read actions (DescribeClusters, ListClusters) have a bucket of 50 tokens refilled at 20 per second, as
// the page's own example states. The estate's other read actions are paced at the same 20 per second, burst 50, in
// buckets of their own: services (DescribeServices, ListServices), container instances (DescribeContainerInstances,
// ListContainerInstances), capacity providers (DescribeCapacityProviders) and tasks (DescribeTasks, ListTasks). Those buckets are not smaller than the
// cluster read bucket on that page; pacing them at its figures keeps the sweep within them.
const (
	EstateRate  = 20
	EstateBurst = 50
)

// EstatePacers are the pacers of the estate's buckets, one per group of read actions. A nil pacer lets calls through.
type EstatePacers struct {
	Clusters, Services, ContainerInstances, CapacityProviders, Tasks *pace.Pacer
}

// NewEstatePacers returns one pacer per bucket at share of ECS's rate and burst (share 0 or less: unpaced).
func NewEstatePacers(share float64) EstatePacers {
	if share <= 0 {
		return EstatePacers{}
	}
	n := func() *pace.Pacer { return pace.New(EstateRate*share, int(EstateBurst*share)) }
	return EstatePacers{Clusters: n(), Services: n(), ContainerInstances: n(), CapacityProviders: n(), Tasks: n()}
}

// PacedEstate is an EstateAPI whose calls go through the pacer of their bucket and are retried by Retry.
type PacedEstate struct {
	API    EstateAPI
	Pacers EstatePacers
	Retry  Retry
}

// DescribeServices implements EstateAPI.
func (p *PacedEstate) DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, opts ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	return paced(ctx, p.Pacers.Services, p.Retry, "ecs:DescribeServices", func() (*ecs.DescribeServicesOutput, error) {
		return p.API.DescribeServices(ctx, in, append(opts, noECSRetry)...)
	})
}

// DescribeTaskSets implements EstateAPI (in the services' bucket).
func (p *PacedEstate) DescribeTaskSets(ctx context.Context, in *ecs.DescribeTaskSetsInput, opts ...func(*ecs.Options)) (*ecs.DescribeTaskSetsOutput, error) {
	return paced(ctx, p.Pacers.Services, p.Retry, "ecs:DescribeTaskSets", func() (*ecs.DescribeTaskSetsOutput, error) {
		return p.API.DescribeTaskSets(ctx, in, append(opts, noECSRetry)...)
	})
}

// DescribeClusters implements EstateAPI.
func (p *PacedEstate) DescribeClusters(ctx context.Context, in *ecs.DescribeClustersInput, opts ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error) {
	return paced(ctx, p.Pacers.Clusters, p.Retry, "ecs:DescribeClusters", func() (*ecs.DescribeClustersOutput, error) {
		return p.API.DescribeClusters(ctx, in, append(opts, noECSRetry)...)
	})
}

// DescribeCapacityProviders implements EstateAPI.
func (p *PacedEstate) DescribeCapacityProviders(ctx context.Context, in *ecs.DescribeCapacityProvidersInput, opts ...func(*ecs.Options)) (*ecs.DescribeCapacityProvidersOutput, error) {
	return paced(ctx, p.Pacers.CapacityProviders, p.Retry, "ecs:DescribeCapacityProviders", func() (*ecs.DescribeCapacityProvidersOutput, error) {
		return p.API.DescribeCapacityProviders(ctx, in, append(opts, noECSRetry)...)
	})
}

// DescribeContainerInstances implements EstateAPI.
func (p *PacedEstate) DescribeContainerInstances(ctx context.Context, in *ecs.DescribeContainerInstancesInput, opts ...func(*ecs.Options)) (*ecs.DescribeContainerInstancesOutput, error) {
	return paced(ctx, p.Pacers.ContainerInstances, p.Retry, "ecs:DescribeContainerInstances", func() (*ecs.DescribeContainerInstancesOutput, error) {
		return p.API.DescribeContainerInstances(ctx, in, append(opts, noECSRetry)...)
	})
}

// ListClusters implements EstateAPI.
func (p *PacedEstate) ListClusters(ctx context.Context, in *ecs.ListClustersInput, opts ...func(*ecs.Options)) (*ecs.ListClustersOutput, error) {
	return paced(ctx, p.Pacers.Clusters, p.Retry, "ecs:ListClusters", func() (*ecs.ListClustersOutput, error) {
		return p.API.ListClusters(ctx, in, append(opts, noECSRetry)...)
	})
}

// ListServices implements EstateAPI.
func (p *PacedEstate) ListServices(ctx context.Context, in *ecs.ListServicesInput, opts ...func(*ecs.Options)) (*ecs.ListServicesOutput, error) {
	return paced(ctx, p.Pacers.Services, p.Retry, "ecs:ListServices", func() (*ecs.ListServicesOutput, error) {
		return p.API.ListServices(ctx, in, append(opts, noECSRetry)...)
	})
}

// ListContainerInstances implements EstateAPI.
func (p *PacedEstate) ListContainerInstances(ctx context.Context, in *ecs.ListContainerInstancesInput, opts ...func(*ecs.Options)) (*ecs.ListContainerInstancesOutput, error) {
	return paced(ctx, p.Pacers.ContainerInstances, p.Retry, "ecs:ListContainerInstances", func() (*ecs.ListContainerInstancesOutput, error) {
		return p.API.ListContainerInstances(ctx, in, append(opts, noECSRetry)...)
	})
}

// ListTasks implements EstateAPI.
func (p *PacedEstate) ListTasks(ctx context.Context, in *ecs.ListTasksInput, opts ...func(*ecs.Options)) (*ecs.ListTasksOutput, error) {
	return paced(ctx, p.Pacers.Tasks, p.Retry, "ecs:ListTasks", func() (*ecs.ListTasksOutput, error) {
		return p.API.ListTasks(ctx, in, append(opts, noECSRetry)...)
	})
}

// DescribeTasks implements EstateAPI.
func (p *PacedEstate) DescribeTasks(ctx context.Context, in *ecs.DescribeTasksInput, opts ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	return paced(ctx, p.Pacers.Tasks, p.Retry, "ecs:DescribeTasks", func() (*ecs.DescribeTasksOutput, error) {
		return p.API.DescribeTasks(ctx, in, append(opts, noECSRetry)...)
	})
}
