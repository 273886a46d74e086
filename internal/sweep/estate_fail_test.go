package sweep_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsaudit/ecsaudit/internal/sweep"
)

// TestEstateUnreadIsNeverPassedNorArchived: services that cannot be described are NOT_AVAILABLE (no finding, no
// record; the next sweep describes them), and a service deleted while ListServices fails is archived only by a
// sweep whose listings were read in full.
func TestEstateUnreadIsNeverPassedNorArchived(t *testing.T) {
	e := newEnv(t)
	es := e.seedEstate(3)
	sw := e.sweeper(sweep.Options{})
	ctx := context.Background()

	e.throttle.Fail("ecs:DescribeServices", "", "ServerException", 1000)
	res, _ := sw.Run(ctx, []sweep.Target{e.target()})
	unavailable := map[string]bool{}
	for _, u := range res.Unavailable {
		unavailable[u.ID] = true
	}
	for _, svc := range append(es.services, es.blue) {
		if !unavailable[svc] {
			t.Errorf("%s could not be described, yet it is not NOT_AVAILABLE: %+v", svc, res.Unavailable)
		}
	}
	if got := e.findings(es.services[0]); len(got) != 0 {
		t.Errorf("an undescribed service has findings: %v", got)
	}
	if len(e.records("ESTATE#SERVICE")) != 0 {
		t.Errorf("undescribed services have records: %v", e.records("ESTATE#SERVICE"))
	}
	if got := e.findings(es.prod); !contains(got, "ACTIVE FAILED cluster.container-insights-disabled") {
		t.Errorf("the clusters are described all the same: %v", got)
	}
	e.throttle.ClearFailures()
	if res := e.run(sw); len(res.Unavailable) != 0 {
		t.Fatalf("not available: %+v", res.Unavailable)
	}
	if got := e.findings(es.services[0]); !contains(got, "ACTIVE FAILED service.public-ip") {
		t.Errorf("the next sweep describes the service: %v", got)
	}

	// The service is deleted while ListServices fails: nothing of the estate is archived until a sweep lists it all.
	if _, err := ecs.NewFromConfig(e.cfg).DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String("prod"), Service: aws.String(es.services[0])}); err != nil {
		t.Fatal(err)
	}
	e.throttle.Fail("ecs:ListServices", "", "ServerException", 1000)
	e.sink.archived = nil
	if _, err := sw.Run(ctx, []sweep.Target{e.target()}); err == nil {
		t.Error("a sweep whose listings failed reports no error")
	}
	if contains(e.sink.archived, es.services[0]) {
		t.Error("the service was archived by a sweep that could not list the services")
	}
	if got := e.findings(es.services[0]); !contains(got, "ACTIVE FAILED service.public-ip") {
		t.Errorf("the service's findings changed while it could not be listed: %v", got)
	}
	e.throttle.ClearFailures()
	e.run(sw)
	if !contains(e.sink.archived, es.services[0]) {
		t.Errorf("the deleted service was not archived once the listings were read: %v", e.sink.archived)
	}
}
