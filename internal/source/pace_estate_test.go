package source

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// countingEstate answers every estate call with an empty answer.
type countingEstate struct{ calls int }

func (c *countingEstate) DescribeServices(context.Context, *ecs.DescribeServicesInput, ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	c.calls++
	return &ecs.DescribeServicesOutput{}, nil
}
func (c *countingEstate) DescribeTaskSets(context.Context, *ecs.DescribeTaskSetsInput, ...func(*ecs.Options)) (*ecs.DescribeTaskSetsOutput, error) {
	c.calls++
	return &ecs.DescribeTaskSetsOutput{}, nil
}
func (c *countingEstate) DescribeClusters(context.Context, *ecs.DescribeClustersInput, ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error) {
	c.calls++
	return &ecs.DescribeClustersOutput{}, nil
}
func (c *countingEstate) DescribeCapacityProviders(context.Context, *ecs.DescribeCapacityProvidersInput, ...func(*ecs.Options)) (*ecs.DescribeCapacityProvidersOutput, error) {
	c.calls++
	return &ecs.DescribeCapacityProvidersOutput{}, nil
}
func (c *countingEstate) DescribeContainerInstances(context.Context, *ecs.DescribeContainerInstancesInput, ...func(*ecs.Options)) (*ecs.DescribeContainerInstancesOutput, error) {
	c.calls++
	return &ecs.DescribeContainerInstancesOutput{}, nil
}
func (c *countingEstate) ListClusters(context.Context, *ecs.ListClustersInput, ...func(*ecs.Options)) (*ecs.ListClustersOutput, error) {
	c.calls++
	return &ecs.ListClustersOutput{}, nil
}
func (c *countingEstate) ListServices(context.Context, *ecs.ListServicesInput, ...func(*ecs.Options)) (*ecs.ListServicesOutput, error) {
	c.calls++
	return &ecs.ListServicesOutput{}, nil
}
func (c *countingEstate) ListContainerInstances(context.Context, *ecs.ListContainerInstancesInput, ...func(*ecs.Options)) (*ecs.ListContainerInstancesOutput, error) {
	c.calls++
	return &ecs.ListContainerInstancesOutput{}, nil
}
func (c *countingEstate) ListTasks(context.Context, *ecs.ListTasksInput, ...func(*ecs.Options)) (*ecs.ListTasksOutput, error) {
	c.calls++
	return &ecs.ListTasksOutput{}, nil
}
func (c *countingEstate) DescribeTasks(context.Context, *ecs.DescribeTasksInput, ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	c.calls++
	return &ecs.DescribeTasksOutput{}, nil
}

// Each group of estate calls spends the tokens of its own bucket: 60 service calls at 10 per second, burst 25, wait
// 3.5 s of the fake clock; cluster, container instance, capacity provider and task calls beside them wait for nothing
// more.
func TestPacedEstateSpendsEachGroupsBucket(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: time.Unix(0, 0)}
	pacers := NewEstatePacers(0.5)
	for _, p := range []interface{ Rate() float64 }{pacers.Clusters, pacers.Services, pacers.ContainerInstances, pacers.CapacityProviders, pacers.Tasks} {
		if p.Rate() != 10 {
			t.Fatalf("estate pacer at %v calls per second, want 10 (half of ECS's 20)", p.Rate())
		}
	}
	pacers.Clusters.Now, pacers.Clusters.Sleep = clock.Now, clock.Sleep
	pacers.Services.Now, pacers.Services.Sleep = clock.Now, clock.Sleep
	pacers.ContainerInstances.Now, pacers.ContainerInstances.Sleep = clock.Now, clock.Sleep
	pacers.CapacityProviders.Now, pacers.CapacityProviders.Sleep = clock.Now, clock.Sleep
	pacers.Tasks.Now, pacers.Tasks.Sleep = clock.Now, clock.Sleep
	api := &countingEstate{}
	p := &PacedEstate{API: api, Pacers: pacers}
	for i := range 60 {
		if i%2 == 0 {
			_, _ = p.ListServices(ctx, &ecs.ListServicesInput{})
		} else {
			_, _ = p.DescribeServices(ctx, &ecs.DescribeServicesInput{})
		}
	}
	if want := 3500 * time.Millisecond; clock.slept != want {
		t.Errorf("60 service calls waited %v, want %v", clock.slept, want)
	}
	before := clock.slept
	for i := range 20 {
		_, _ = p.ListClusters(ctx, &ecs.ListClustersInput{})
		_, _ = p.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{})
		_, _ = p.DescribeCapacityProviders(ctx, &ecs.DescribeCapacityProvidersInput{})
		if i%2 == 0 {
			_, _ = p.ListTasks(ctx, &ecs.ListTasksInput{})
		} else {
			_, _ = p.DescribeTasks(ctx, &ecs.DescribeTasksInput{})
		}
	}
	if clock.slept != before {
		t.Errorf("calls of other buckets waited %v on the services' bucket", clock.slept-before)
	}
	if api.calls != 140 {
		t.Errorf("%d calls reached the API, want 140", api.calls)
	}
}
