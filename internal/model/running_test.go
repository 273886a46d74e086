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
