package sweep_test

import (
	"context"
	"flag"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/sweep"
)

// `make bench-sweep-estate` runs TestEstateCallsAgainstTheFloor over 1,000 services in 100 clusters; the suite runs
// it over 45 services in 3 clusters.
var (
	estateClusters = flag.Int("estate.clusters", 3, "clusters seeded by TestEstateCallsAgainstTheFloor")
	estateServices = flag.Int("estate.services", 45, "services seeded by TestEstateCallsAgainstTheFloor, spread over the clusters")
)

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// TestEstateCallsAgainstTheFloor seeds clusters and services and counts the estate's calls of a first and a second
// sweep against the fewest the API allows: per sweep one ListClusters and one DescribeClusters per 100 clusters, one
// ListServices per 100 services of a cluster, one DescribeServices per 10 services of a cluster, one
// ListContainerInstances per cluster, one DescribeCapacityProviders per 10 providers. A second sweep describes
// nothing: it lists only.
func TestEstateCallsAgainstTheFloor(t *testing.T) {
	e := newEnv(t)
	e.shim.SetPageSize(100)
	ctx := context.Background()
	c := ecs.NewFromConfig(e.cfg)
	nc, ns := *estateClusters, *estateServices
	perCluster := make([]int, nc)
	for i := range ns {
		perCluster[i%nc]++
	}
	for i := range nc {
		if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(fmt.Sprintf("c%03d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, ns)
	next := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				_, err := c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String(fmt.Sprintf("c%03d", i%nc)),
					ServiceName: aws.String(fmt.Sprintf("s%05d", i)), DesiredCount: aws.Int32(0)})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := range ns {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	floor := map[string]int{"ecs:ListClusters": ceilDiv(nc, 100), "ecs:DescribeClusters": ceilDiv(nc, 100),
		"ecs:ListContainerInstances": nc, "ecs:DescribeContainerInstances": 0, "ecs:DescribeCapacityProviders": 1,
		"ecs:ListTasks": nc, "ecs:DescribeTasks": 0, "elasticloadbalancing:DescribeLoadBalancers": 1,
		"elasticloadbalancing:DescribeTargetGroups": 1}
	for _, n := range perCluster {
		floor["ecs:ListServices"] += max(1, ceilDiv(n, 100))
		floor["ecs:DescribeServices"] += ceilDiv(n, 10)
	}
	sw := e.sweeper(sweep.Options{Unpaced: true})
	sw.Runs = &state.Runs{DB: e.ddb, Table: table} // as the function sweeps: standalone tasks are read
	before := e.estateCalls()
	res := e.run(sw)
	if len(res.Unavailable) != 0 {
		t.Fatalf("not available: %v", res.Unavailable)
	}
	first := e.estateCalls()
	e.run(sw)
	second := e.estateCalls()
	t.Logf("%d services in %d clusters: API | first sweep | second sweep | floor of a first sweep", ns, nc)
	for _, api := range []string{"ecs:ListClusters", "ecs:DescribeClusters", "ecs:ListServices", "ecs:DescribeServices",
		"ecs:ListContainerInstances", "ecs:DescribeContainerInstances", "ecs:DescribeCapacityProviders", "ecs:ListTasks",
		"ecs:DescribeTasks", "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTargetGroups"} {
		one, two := first[api]-before[api], second[api]-first[api]
		t.Logf("%s | %d | %d | %d", api, one, two, floor[api])
		if one != floor[api] {
			t.Errorf("first sweep: %d %s calls, the floor is %d", one, api, floor[api])
		}
		if (api == "ecs:DescribeClusters" || api == "ecs:DescribeServices" || api == "ecs:DescribeContainerInstances") && two != 0 {
			t.Errorf("second sweep: %d %s calls for an unchanged estate", two, api)
		}
	}
}
