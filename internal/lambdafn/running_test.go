package lambdafn_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/asff"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

const webService = "arn:aws:ecs:us-east-1:111122223333:service/production/web"

// active returns the active FAILED findings of a resource.
func active(t *testing.T, fs []shtypes.AwsSecurityFinding) []shtypes.AwsSecurityFinding {
	t.Helper()
	var out []shtypes.AwsSecurityFinding
	for _, f := range fs {
		if f.RecordState == shtypes.RecordStateActive && f.Compliance != nil && f.Compliance.Status == shtypes.ComplianceStatusFailed {
			out = append(out, f)
		}
	}
	return out
}

// runsPublicly reports whether a finding carries the web service as its running context: named in its
// description and ProductFields, listed as a resource, and critical to the provider.
func runsPublicly(f shtypes.AwsSecurityFinding) bool {
	listed := false
	for _, r := range f.Resources[1:] {
		listed = listed || (aws.ToString(r.Type) == "AwsEcsService" && aws.ToString(r.Id) == webService)
	}
	c := f.FindingProviderFields.Criticality
	return listed && c != nil && *c == asff.CriticalityPublic &&
		strings.Contains(aws.ToString(f.Description), "runs in service web of cluster production with a public IP") &&
		strings.Contains(f.ProductFields[asff.FieldRunningContext], "with a public IP")
}

// A service event records what the service runs; the revision's findings then carry it (and rise: the service
// gives its tasks public IPs). An UpdateService to a new revision moves the context from the old revision to the new.
func TestServiceGivesRevisionItsRunningContext(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	for _, ev := range []string{"ecs-register-task-definition.json", "ecs-create-cluster.json", "ecs-create-service.json"} {
		if err := step(t, e, ev).Apply(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	deliver(t, e, "TaskDefinitionAuditor", "ecs-create-service.json")
	deliver(t, e, "TaskDefinitionAuditor", "ecs-register-task-definition.json")
	web7 := active(t, findings(t, e, "task-definition/web:7"))
	if len(web7) == 0 {
		t.Fatal("no active findings on web:7")
	}
	raised := 0
	for _, f := range web7 {
		if !runsPublicly(f) {
			t.Errorf("%s on web:7 lacks the service's running context: %q %v", aws.ToString(f.GeneratorId),
				aws.ToString(f.Description), f.ProductFields[asff.FieldRunningContext])
		}
		if strings.Contains(f.ProductFields[asff.FieldSeverityContext], "where the internet reaches it") {
			raised++
		}
	}
	if raised == 0 {
		t.Errorf("no finding of web:7 rose for the public service")
	}

	// web:8 is registered and the service moves to it.
	client := ecs.NewFromConfig(e.Config)
	d, err := client.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web:7")})
	if err != nil {
		t.Fatal(err)
	}
	td := d.TaskDefinition
	reg, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: td.Family, ContainerDefinitions: td.ContainerDefinitions, NetworkMode: td.NetworkMode,
		RequiresCompatibilities: td.RequiresCompatibilities, Cpu: td.Cpu, Memory: td.Memory,
		TaskRoleArn: td.TaskRoleArn, ExecutionRoleArn: td.ExecutionRoleArn,
	})
	if err != nil {
		t.Fatal(err)
	}
	next := aws.ToString(reg.TaskDefinition.TaskDefinitionArn)
	if _, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("production"), Service: aws.String("web"),
		TaskDefinition: &next}); err != nil {
		t.Fatal(err)
	}
	deliver(t, e, "TaskDefinitionAuditor", "ecs-update-service.json")
	for _, f := range active(t, findings(t, e, "task-definition/web:7")) {
		if runsPublicly(f) || strings.Contains(aws.ToString(f.Description), "runs in service") {
			t.Errorf("%s on web:7 still carries the service it no longer runs under: %q", aws.ToString(f.GeneratorId), aws.ToString(f.Description))
		}
	}
	moved := active(t, findings(t, e, next[strings.LastIndex(next, "/"):]))
	if len(moved) == 0 {
		t.Fatalf("no active findings on %s: the service's change did not audit it", next)
	}
	for _, f := range moved {
		if !runsPublicly(f) {
			t.Errorf("%s on %s lacks the service's running context: %q", aws.ToString(f.GeneratorId), next, aws.ToString(f.Description))
		}
	}

	// Once a sweep has recorded every service (here: marked by hand), a revision nothing runs is lower priority:
	// the service is deleted, and web:8's findings lose their rise and say that nothing runs it (its findings are all
	// LOW: lowered, they stay LOW).
	runs := state.New(dynamodb.NewFromConfig(e.Config), "ecsaudit-state").Runs()
	if err := runs.MarkComplete(ctx, "111122223333", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String("production"), Service: aws.String("web"), Force: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	deliver(t, e, "TaskDefinitionAuditor", "ecs-delete-service.json")
	for _, f := range active(t, findings(t, e, next[strings.LastIndex(next, "/"):])) {
		c := f.FindingProviderFields.Criticality
		if !strings.Contains(aws.ToString(f.Description), model.NothingRuns) || c == nil || *c != asff.CriticalityNothingRuns {
			t.Errorf("%s on %s after the service's deletion: %q, criticality %v", aws.ToString(f.GeneratorId), next, aws.ToString(f.Description), c)
		}
		if len(f.Resources) != 1 {
			t.Errorf("%s still lists %d resources", aws.ToString(f.GeneratorId), len(f.Resources))
		}
		if sev := f.FindingProviderFields.Severity.Label; sev != shtypes.SeverityLabelLow {
			t.Errorf("%s on %s: provider severity %s, want LOW once nothing runs it", aws.ToString(f.GeneratorId), next, sev)
		}
	}
}
