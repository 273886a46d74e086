package model

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func TestRunsOfAndLinkRunning(t *testing.T) {
	const (
		p       = "arn:aws:ecs:us-east-1:111122223333:"
		cluster = p + "cluster/prod"
	)
	pub := &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{AssignPublicIp: ecstypes.AssignPublicIpEnabled}}
	web := &Service{Svc: ecstypes.Service{ServiceArn: aws.String(p + "service/prod/web"), ClusterArn: aws.String(cluster),
		TaskDefinition: aws.String(p + "task-definition/web:8"), NetworkConfiguration: pub,
		Deployments: []ecstypes.Deployment{
			{Status: aws.String("PRIMARY"), TaskDefinition: aws.String(p + "task-definition/web:8"), NetworkConfiguration: pub},
			{Status: aws.String("ACTIVE"), TaskDefinition: aws.String(p + "task-definition/web:7")},
			{Status: aws.String("INACTIVE"), TaskDefinition: aws.String(p + "task-definition/web:6")},
		}}}
	gone := &Service{Svc: ecstypes.Service{ServiceArn: aws.String(p + "service/prod/old"), Status: aws.String("INACTIVE"),
		TaskDefinition: aws.String(p + "task-definition/web:5")}}
	set := &TaskSet{Set: ecstypes.TaskSet{TaskSetArn: aws.String(p + "task-set/prod/api/ecs-svc/1"), ServiceArn: aws.String(p + "service/prod/api"),
		ClusterArn: aws.String(cluster), TaskDefinition: aws.String(p + "task-definition/web:7"), Status: aws.String("PRIMARY")}}

	runs := RunsOf(web) // web:7's deployment is being replaced: not counted
	want := []Run{
		{TaskDefinition: p + "task-definition/web:8", Runner: Runner{Service: p + "service/prod/web", Cluster: cluster, Public: true}},
	}
	if !reflect.DeepEqual(runs, want) {
		t.Errorf("RunsOf(web) = %+v, want %+v", runs, want)
	}
	if RunsOf(gone) != nil {
		t.Errorf("an INACTIVE service runs %+v", RunsOf(gone))
	}

	rev := func(fam string, n int32, arn string) *TaskDefinition {
		td := &TaskDefinition{Ref: Ref{ARN: arn}}
		td.Def.Family, td.Def.Revision = aws.String(fam), n
		return td
	}
	w8 := rev("web", 8, "")
	w7 := rev("web", 7, p+"task-definition/web:7")
	w5 := rev("web", 5, p+"task-definition/web:5")
	tasks := []*TaskDefinition{w8, w7, w5}

	LinkRunning(tasks, []Resource{set}) // task sets alone: runners, never complete
	if w7.Running.Exposure() != ExposurePrivate || w5.Running.Exposure() != ExposureUnknown {
		t.Errorf("task sets alone: web:7 %v, web:5 %v", w7.Running.Exposure(), w5.Running.Exposure())
	}
	LinkRunning(tasks, []Resource{web, gone, set})
	if got := w8.Running.Exposure(); got != ExposurePublic {
		t.Errorf("web:8 (no ARN, matched by family:revision): %v, want public", got)
	}
	if got := w8.Running.Describe(); got != "runs in service web of cluster prod with a public IP" {
		t.Errorf("web:8 described as %q", got)
	}
	if got := w7.Running.Describe(); got != "runs in task set ecs-svc/1 of service api of cluster prod" {
		t.Errorf("web:7 described as %q", got)
	}
	if got := w5.Running.Exposure(); got != ExposureNone || w5.Running.Describe() != NothingRuns {
		t.Errorf("web:5: %v %q, want nothing runs", got, w5.Running.Describe())
	}
	if got := w7.Running.Services(); !reflect.DeepEqual(got, []string{p + "service/prod/api"}) {
		t.Errorf("web:7 services %v", got)
	}
	fresh := rev("web", 9, "")
	LinkRunning([]*TaskDefinition{fresh}, nil)
	if fresh.Running != nil {
		t.Errorf("no services given: running %+v, want none", fresh.Running)
	}
}

// A service behind an internet-facing load balancer is exposed like one with a public IP, and says so; standalone
// tasks of a cluster run their revisions (a service's own tasks are not standalone), never with a known public IP.
func TestRunnersBehindLoadBalancersAndStandalone(t *testing.T) {
	const tg = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/1"
	svc := &Service{Svc: ecstypes.Service{ServiceArn: aws.String("arn:aws:ecs:us-east-1:111122223333:service/prod/web"),
		ClusterArn: aws.String("arn:aws:ecs:us-east-1:111122223333:cluster/prod"), Status: aws.String("ACTIVE"),
		TaskDefinition: aws.String("arn:aws:ecs:us-east-1:111122223333:task-definition/web:3"),
		LoadBalancers:  []ecstypes.LoadBalancer{{TargetGroupArn: aws.String(tg)}}}}
	if runs := RunsOf(svc); len(runs) != 1 || runs[0].Runner.InternetFacing {
		t.Fatalf("load balancers not read: %+v, want one run, not internet-facing", runs)
	}
	svc.InternetFacing = map[string]bool{tg: true}
	runs := RunsOf(svc)
	if len(runs) != 1 || !runs[0].Runner.InternetFacing || runs[0].Runner.Public {
		t.Fatalf("behind an internet-facing load balancer: %+v", runs)
	}
	run := &Running{Runners: []Runner{runs[0].Runner}, Complete: true}
	if run.Exposure() != ExposurePublic || run.Describe() != "runs in service web of cluster prod behind an internet-facing load balancer" {
		t.Errorf("exposure %v, %q", run.Exposure(), run.Describe())
	}

	cluster := "arn:aws:ecs:us-east-1:111122223333:cluster/prod"
	tasks := []ecstypes.Task{
		{TaskDefinitionArn: aws.String("arn:aws:ecs:us-east-1:111122223333:task-definition/batch:2"), Group: aws.String("family:batch"), DesiredStatus: aws.String("RUNNING")},
		{TaskDefinitionArn: aws.String("arn:aws:ecs:us-east-1:111122223333:task-definition/batch:2"), Group: aws.String("nightly"), DesiredStatus: aws.String("RUNNING")},
		{TaskDefinitionArn: aws.String("arn:aws:ecs:us-east-1:111122223333:task-definition/web:3"), Group: aws.String("service:web"), DesiredStatus: aws.String("RUNNING")},
		{TaskDefinitionArn: aws.String("arn:aws:ecs:us-east-1:111122223333:task-definition/old:1"), Group: aws.String("family:old"), DesiredStatus: aws.String("STOPPED")},
	}
	got := StandaloneRuns(cluster, tasks)
	if len(got) != 1 || got[0].TaskDefinition != "arn:aws:ecs:us-east-1:111122223333:task-definition/batch:2" ||
		got[0].Runner != (Runner{Cluster: cluster, Standalone: true}) {
		t.Fatalf("standalone runs: %+v, want batch:2 only, by prod's standalone tasks", got)
	}
	run = &Running{Runners: []Runner{got[0].Runner, runs[0].Runner}, Complete: true}
	SortRunners(run.Runners)
	if d := run.Describe(); d != "runs in service web of cluster prod behind an internet-facing load balancer; standalone tasks of cluster prod" {
		t.Errorf("description %q", d)
	}
	if (&Running{Complete: true}).Describe() != NothingRuns {
		t.Errorf("nothing runs: %q", (&Running{Complete: true}).Describe())
	}
}
