package source

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// fakeEstate answers DescribeServices from a table of services by ARN and records the size of each call.
type fakeEstate struct {
	EstateAPI
	services map[string]ecstypes.Service
	calls    []int
	fail     bool
}

func (f *fakeEstate) DescribeServices(_ context.Context, in *ecs.DescribeServicesInput, _ ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	f.calls = append(f.calls, len(in.Services))
	if len(in.Services) > 10 {
		return nil, errors.New("InvalidParameterException: more than 10 services")
	}
	if f.fail {
		return nil, errors.New("ThrottlingException: rate exceeded")
	}
	out := &ecs.DescribeServicesOutput{}
	for _, a := range in.Services {
		if svc, ok := f.services[a]; ok {
			out.Services = append(out.Services, svc)
		} else {
			out.Failures = append(out.Failures, ecstypes.Failure{Arn: aws.String(a), Reason: aws.String("MISSING")})
		}
	}
	return out, nil
}

func listing(k *model.Kind) *Listing {
	for _, l := range Listings() {
		if l.Kind == k {
			return l
		}
	}
	return nil
}

func TestDescribeListedCutsBatchesAndSortsAnswers(t *testing.T) {
	const prefix = "arn:aws:ecs:us-east-1:123456789012:service/prod/"
	f := &fakeEstate{services: map[string]ecstypes.Service{}}
	var arns []string
	for i := range 24 {
		a := fmt.Sprintf("%ss%02d", prefix, i)
		arns = append(arns, a)
		status := "ACTIVE"
		if i == 3 {
			status = "INACTIVE"
		}
		svc := ecstypes.Service{ServiceArn: aws.String(a), ServiceName: aws.String(fmt.Sprintf("s%02d", i)), Status: aws.String(status)}
		if i == 0 {
			svc.TaskSets = []ecstypes.TaskSet{{TaskSetArn: aws.String("arn:aws:ecs:us-east-1:123456789012:task-set/prod/s00/ecs-svc/1")}}
		}
		if i != 7 {
			f.services[a] = svc
		}
	}
	s := &Source{Account: "123456789012", Region: "us-east-1", Partition: "aws", Estate: f}
	d := s.DescribeListed(context.Background(), listing(model.KindService), "arn:aws:ecs:us-east-1:123456789012:cluster/prod", arns)
	if fmt.Sprint(f.calls) != "[10 10 4]" {
		t.Errorf("describe calls of %v names, want [10 10 4]", f.calls)
	}
	if fmt.Sprint(d.Gone) != fmt.Sprint([]string{prefix + "s07", prefix + "s03"}) {
		t.Errorf("gone %v, want s07 (MISSING) and s03 (INACTIVE)", d.Gone)
	}
	sets, services := 0, 0
	for _, r := range d.Found {
		switch r.Kind() {
		case model.KindTaskSet:
			sets++
			if got := DescribedWith(r.ID()); got != prefix+"s00" {
				t.Errorf("the task set is described with %q, want its service", got)
			}
		case model.KindService:
			services++
		}
		if r.Ident().Account != "123456789012" {
			t.Errorf("%s: account %q", r.ID(), r.Ident().Account)
		}
	}
	if sets != 1 || services != 22 || len(d.Failed) != 0 {
		t.Errorf("found %d services and %d task sets, failed %v; want 22, 1, none", services, sets, d.Failed)
	}

	f.fail, f.calls = true, nil
	d = s.DescribeListed(context.Background(), listing(model.KindService), "prod", arns[:12])
	if len(d.Failed) != 12 || len(d.Found) != 0 || len(d.Gone) != 0 {
		t.Errorf("a failing describe: found %d, gone %d, failed %d; want every name failed", len(d.Found), len(d.Gone), len(d.Failed))
	}
}

func TestSweptKindsAreTheEstate(t *testing.T) {
	got := fmt.Sprint(SweptKinds())
	for _, k := range []*model.Kind{model.KindService, model.KindTaskSet, model.KindCluster, model.KindCapacityProvider, model.KindContainerInstance} {
		found := false
		for _, s := range SweptKinds() {
			found = found || s == k
		}
		if !found {
			t.Errorf("the sweep does not list %s: %s", k.Name, got)
		}
	}
	for _, l := range Listings() {
		if !l.Describes() && (l.Batch < 1 || l.list == nil || l.describe == nil) {
			t.Errorf("%s: a listing by name needs a batch, a list and a describe call", l.Kind.Name)
		}
		if l.In != nil && listing(l.In) == nil {
			t.Errorf("%s is listed in %s, which is not listed", l.Kind.Name, l.In.Name)
		}
	}
	if DescribedWith("arn:aws:ecs:us-east-1:123456789012:service/prod/web") != "" {
		t.Error("a service is described by itself")
	}
}
