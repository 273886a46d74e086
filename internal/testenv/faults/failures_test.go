package faults_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/testenv/demo"
	"github.com/ecsaudit/ecsaudit/internal/testenv/faults"
)

const web7 = "arn:aws:ecs:us-east-1:111122223333:task-definition/web:7"

// failurePaths drives one environment through the failure paths, in order.
type failurePaths struct {
	t     *testing.T
	ctx   context.Context
	e     *demo.Env
	proxy *faults.Proxy
	steps map[string]demo.Step
}

func (f *failurePaths) deliver(function, file string) error {
	f.t.Helper()
	raw, err := event(file)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.e.Funcs[function].Handle(f.ctx, raw)
}

// step applies a demo step's API call and delivers its event, which must succeed.
func (f *failurePaths) step(file string) {
	f.t.Helper()
	s := f.steps[file]
	if err := s.Apply(f.ctx, f.e); err != nil {
		f.t.Fatalf("apply %s: %v", file, err)
	}
	if err := f.deliver(s.Function, file); err != nil {
		f.t.Fatalf("%s: %v", file, err)
	}
}

// finding returns the Security Hub finding of a rule on a resource (by ARN suffix), nil when there is none.
func (f *failurePaths) finding(rule, resourceSuffix string) *shtypes.AwsSecurityFinding {
	f.t.Helper()
	fs, err := f.e.Findings(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	for i := range fs {
		if aws.ToString(fs[i].GeneratorId) == rule && strings.HasSuffix(aws.ToString(fs[i].Resources[0].Id), resourceSuffix) {
			return &fs[i]
		}
	}
	return nil
}

func (f *failurePaths) wantState(rule, resource string, record shtypes.RecordState, compliance shtypes.ComplianceStatus) {
	f.t.Helper()
	got := f.finding(rule, resource)
	if got == nil {
		f.t.Errorf("no %s finding on %s", rule, resource)
		return
	}
	if got.RecordState != record || got.Compliance.Status != compliance {
		f.t.Errorf("%s on %s: %s %s, want %s %s", rule, resource, got.RecordState, got.Compliance.Status, record, compliance)
	}
}

// imports returns the Findings Ids of each BatchImportFindings request captured since the given body count.
func (f *failurePaths) imports(since int) [][]string {
	var out [][]string
	for _, b := range f.proxy.Bodies()[since:] {
		if b.API != "securityhub:BatchImportFindings" {
			continue
		}
		var in struct {
			Findings []struct {
				ID string `json:"Id"`
			}
		}
		if err := json.Unmarshal(b.Data, &in); err != nil {
			f.t.Fatal(err)
		}
		var ids []string
		for _, x := range in.Findings {
			ids = append(ids, x.ID)
		}
		out = append(out, ids)
	}
	return out
}

// TestFailurePaths checks, through the fault proxy, what the functions do when AWS fails them in particular ways:
// a result that cannot be read is NOT_AVAILABLE and leaves a FAILED finding alone; a revision that cannot be
// described is archived only when a listing proves it gone; a partial BatchImportFindings failure re-sends only
// what failed; a function that cannot publish fails the invocation, notifies nothing, and a retry completes the
// work; Security Hub not enabled is one clear error per invocation, found with one DescribeHub call; a malformed
// event is logged with its id and acknowledged.
func TestFailurePaths(t *testing.T) {
	e, p := start(t, nil, faults.Options{Capture: true})
	f := &failurePaths{t: t, ctx: context.Background(), e: e, proxy: p, steps: map[string]demo.Step{}}
	for _, s := range demo.Steps() {
		f.steps[s.Event] = s
	}
	for _, file := range []string{"ecr-create-repository.json", "ecr-image-action-push.json", "ecr-image-scan.json", "ecs-register-task-definition.json"} {
		f.step(file)
	}
	f.wantState("task.vulnerable-image", "task-definition/web:7", shtypes.RecordStateActive, shtypes.ComplianceStatusFailed)

	t.Run("image unreadable: NOT_AVAILABLE keeps the FAILED finding", func(t *testing.T) {
		logs, _ := os.ReadFile(e.LogPath())
		counted := strings.Count(string(logs), `"NotAvailableResults":`)
		p.Plan("ecr:DescribeImages", "", faults.ServerError, -1)
		defer p.ClearPlans()
		if err := f.deliver("TaskDefinitionAuditor", "ecs-register-task-definition.json"); err != nil {
			t.Errorf("an unreadable image is NOT_AVAILABLE, not a failed invocation: %v", err)
		}
		if !strings.Contains(strings.Join(faults.ByAPI(p.Faults()), " "), "ecr:DescribeImages=") {
			t.Fatal("no DescribeImages call met the planned fault: the path was not exercised")
		}
		f.wantState("task.vulnerable-image", "task-definition/web:7", shtypes.RecordStateActive, shtypes.ComplianceStatusFailed)
		logs, _ = os.ReadFile(e.LogPath())
		if strings.Count(string(logs), `"NotAvailableResults":`) != counted+1 {
			t.Error("the NOT_AVAILABLE result was not counted in the invocation's metrics")
		}
	})

	t.Run("revision not described: archived only when a listing proves it gone", func(t *testing.T) {
		// The revision exists (the listing says so): an error, so that Lambda retries; nothing archived.
		p.Plan("ecs:DescribeTaskDefinition", web7, faults.ServerError, -1)
		listings := p.Calls("TaskDefinitionAuditor")["ecs:ListTaskDefinitions"]
		if err := f.deliver("TaskDefinitionAuditor", "ecs-register-task-definition.json"); err == nil {
			t.Error("a revision that could not be described was acknowledged")
		}
		if p.Calls("TaskDefinitionAuditor")["ecs:ListTaskDefinitions"] == listings {
			t.Error("the revision's family was not listed before giving up")
		}
		// The listing fails too: still an error, still nothing archived.
		p.Plan("ecs:ListTaskDefinitions", "", faults.Unavailable, -1)
		if err := f.deliver("TaskDefinitionAuditor", "ecs-register-task-definition.json"); err == nil {
			t.Error("a revision neither described nor listed was acknowledged")
		}
		p.ClearPlans()
		f.wantState("task.vulnerable-image", "task-definition/web:7", shtypes.RecordStateActive, shtypes.ComplianceStatusFailed)
		f.wantState("task.capabilities-not-dropped", "task-definition/web:7", shtypes.RecordStateActive, shtypes.ComplianceStatusFailed)
	})

	t.Run("partial import failure re-sends only what failed", func(t *testing.T) {
		before := f.finding("repo.no-lifecycle-policy", "repository/web")
		if before == nil {
			t.Fatal("no repo.no-lifecycle-policy finding on repository/web to resolve")
		}
		id := aws.ToString(before.Id)
		e.Shim.FailFinding(id, "InternalFailure", 1)
		since := len(p.Bodies())
		f.step("ecr-put-lifecycle-policy.json")
		calls := f.imports(since)
		if len(calls) != 2 || len(calls[1]) != 1 || calls[1][0] != id {
			t.Errorf("BatchImportFindings calls %q: want the batch, then only %s again", calls, id)
		}
		f.wantState("repo.no-lifecycle-policy", "repository/web", shtypes.RecordStateArchived, shtypes.ComplianceStatusPassed)
	})

	t.Run("cannot publish: the invocation fails, nothing is notified, a retry completes", func(t *testing.T) {
		p.Plan("securityhub:BatchImportFindings", "", faults.Unavailable, -1)
		s := f.steps["ecr-put-registry-scanning-configuration.json"]
		if err := s.Apply(f.ctx, e); err != nil {
			t.Fatal(err)
		}
		publishes := p.Calls("EcrAuditor")["sns:Publish"]
		if err := f.deliver(s.Function, s.Event); err == nil {
			t.Error("a function that could not publish acknowledged the event")
		}
		if got := p.Calls("EcrAuditor")["sns:Publish"]; got != publishes {
			t.Error("a notification went out for findings Security Hub never accepted")
		}
		if f.finding("repo.mutable-tags", "repository/legacy") != nil {
			t.Error("findings reached Security Hub while every import failed")
		}
		p.ClearPlans()
		if err := f.deliver(s.Function, s.Event); err != nil {
			t.Fatalf("the retry failed: %v", err)
		}
		f.wantState("repo.mutable-tags", "repository/legacy", shtypes.RecordStateActive, shtypes.ComplianceStatusFailed)
	})

	t.Run("malformed event: logged with its id and acknowledged", func(t *testing.T) {
		for _, bad := range []string{`{"id":"faults-bad-1","detail-type":"ECR Image Scan","source":"aws.ecr","time":"yesterday"}`, `]]`} {
			if err := e.Funcs["EcrAuditor"].Handle(f.ctx, json.RawMessage(bad)); err != nil {
				t.Errorf("malformed event %s: %v, want acknowledged", bad, err)
			}
		}
		logs, _ := os.ReadFile(e.LogPath())
		if !strings.Contains(string(logs), `"eventId":"faults-bad-1"`) {
			t.Error("the malformed event's id is not in the log")
		}
	})

	t.Run("security hub not enabled: one clear error per invocation", func(t *testing.T) {
		if _, err := securityhub.NewFromConfig(e.Config).DisableSecurityHub(f.ctx, &securityhub.DisableSecurityHubInput{}); err != nil {
			t.Fatal(err)
		}
		// A cold start: the publisher checks the hub once per container.
		attempts, _, err := deployedAttempts()
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Reroute(f.ctx, nil, func(fn string) demo.Route {
			return demo.Route{Handler: p.Handler(fn), Config: quickRetries(attempts)}
		}); err != nil {
			t.Fatal(err)
		}
		before := p.Calls("EcrAuditor")
		for i := 0; i < 2; i++ {
			err := f.deliver("EcrAuditor", "ecr-put-lifecycle-policy.json")
			if err == nil || !strings.Contains(err.Error(), "security hub is not enabled") {
				t.Errorf("delivery %d: %v, want the not-enabled error", i+1, err)
			}
		}
		after := p.Calls("EcrAuditor")
		if n := after["securityhub:DescribeHub"] - before["securityhub:DescribeHub"]; n != 1 {
			t.Errorf("DescribeHub called %d times for two invocations, want once", n)
		}
		for _, api := range []string{"securityhub:BatchImportFindings", "sns:Publish", "dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:UpdateItem"} {
			if after[api] != before[api] {
				t.Errorf("%s called %d times while Security Hub was not enabled", api, after[api]-before[api])
			}
		}
	})
}
