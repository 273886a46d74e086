package sweep_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/sweep"
)

// severityOf returns the severity of a resource's ACTIVE finding of a rule, "" when there is none.
func (e *env) severityOf(resourceID, ruleID string) rule.Severity {
	e.t.Helper()
	recs, err := e.store.ByResource(context.Background(), resourceID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, r := range recs {
		if r.RuleID == ruleID && r.RecordState == "ACTIVE" {
			return r.Severity
		}
	}
	return ""
}

// Standalone tasks are read by the sweep: a revision only a standalone task runs is not lowered, one nothing runs
// is lowered in the same sweep that completes the running index, and when the task stops the next sweep lowers its
// revision too, without describing it twice.
func TestSweepStandaloneTasks(t *testing.T) {
	e := newEnv(t)
	es := e.seedEstate(1)
	batch := e.register("batch", image("app", ":1.0"), true)
	idle := e.register("idle", image("app", ":1.0"), true)
	c := ecs.NewFromConfig(e.cfg)
	ctx := context.Background()
	// moto gives a task's network interface a DNS name only in a default subnet.
	def, err := ec2.NewFromConfig(e.cfg).DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("default-for-az"), Values: []string{"true"}}}})
	if err != nil || len(def.Subnets) == 0 {
		t.Fatalf("the emulator's default subnets: %v", err)
	}
	run, err := c.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String(batch), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
			Subnets: []string{aws.ToString(def.Subnets[0].SubnetId)}, SecurityGroups: []string{}}},
		StartedBy: aws.String("events-rule/nightly")})
	if err != nil {
		t.Fatal(err)
	}
	sw := e.sweeper(sweep.Options{})
	runs := &state.Runs{DB: e.ddb, Table: table}
	sw.Runs = runs
	e.run(sw)
	if done, err := runs.Complete(ctx, account, region); err != nil || !done {
		t.Fatalf("the running index is not complete after the sweep (%v)", err)
	}
	rs, err := runs.Runners(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || !rs[0].Standalone || rs[0].Cluster != es.prod {
		t.Errorf("runners of %s: %+v, want the standalone tasks of prod", batch, rs)
	}
	const privileged = "task.privileged-container"
	if got := e.severityOf(batch, privileged); got != rule.High {
		t.Errorf("%s, run by a standalone task: %s at %q, want HIGH (not lowered)", batch, privileged, got)
	}
	if got := e.severityOf(idle, privileged); got != rule.Medium {
		t.Errorf("%s, which nothing runs: %s at %q, want MEDIUM (lowered one level in the sweep that completed the index)", idle, privileged, got)
	}
	if n := e.throttle.Calls("ecs:DescribeTasks"); n != 1 {
		t.Errorf("%d DescribeTasks calls for prod's one task and stage's none, want 1", n)
	}

	// The task stops: the next sweep forgets it and lowers its revision, evaluated again in the same sweep.
	if _, err := c.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String("prod"), Task: run.Tasks[0].TaskArn}); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(time.Hour)
	before := e.describes()
	e.run(sw)
	if rs, err := runs.Runners(ctx, batch); err != nil || len(rs) != 0 {
		t.Errorf("runners of %s after its task stopped: %+v (%v), want none", batch, rs, err)
	}
	if got := e.severityOf(batch, privileged); got != rule.Medium {
		t.Errorf("%s after its task stopped: %s at %q, want MEDIUM", batch, privileged, got)
	}
	if n := e.describes() - before; n != 1 {
		t.Errorf("the second sweep described %d revisions, want 1 (%s, whose running context changed)", n, batch)
	}
}
