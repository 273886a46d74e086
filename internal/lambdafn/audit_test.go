package lambdafn_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/testenv/demo"
)

func start(t *testing.T, env map[string]string) *demo.Env {
	t.Helper()
	e, err := demo.StartWith(context.Background(), root(), env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	return e
}

func step(t *testing.T, e *demo.Env, event string) demo.Step {
	t.Helper()
	for _, s := range demo.Steps() {
		if s.Event == event {
			return s
		}
	}
	t.Fatalf("no demo step for %s", event)
	return demo.Step{}
}

func deliver(t *testing.T, e *demo.Env, function, event string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root(), "events", event))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Funcs[function].Handle(context.Background(), data); err != nil {
		t.Fatalf("%s on %s: %v", function, event, err)
	}
}

func findings(t *testing.T, e *demo.Env, resourceSuffix string) []shtypes.AwsSecurityFinding {
	t.Helper()
	all, err := e.Findings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []shtypes.AwsSecurityFinding
	for _, f := range all {
		if strings.HasSuffix(aws.ToString(f.Resources[0].Id), resourceSuffix) {
			out = append(out, f)
		}
	}
	return out
}

// A revision deleted between its registration and the describe is archived, not retried forever: the listing
// confirms it is gone.
func TestRevisionGoneBeforeDescribeIsArchived(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	if err := step(t, e, "ecs-register-task-definition.json").Apply(ctx, e); err != nil {
		t.Fatal(err)
	}
	client := ecs.NewFromConfig(e.Config)
	arn := "arn:aws:ecs:us-east-1:111122223333:task-definition/web:7"
	if _, err := client.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: &arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeleteTaskDefinitions(ctx, &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: []string{arn}}); err != nil {
		t.Fatal(err)
	}
	deliver(t, e, "TaskDefinitionAuditor", "ecs-register-task-definition.json")
	for _, f := range findings(t, e, "task-definition/web:7") {
		if f.RecordState == shtypes.RecordStateActive {
			t.Errorf("active finding on a deleted revision: %s", aws.ToString(f.Id))
		}
	}
}

// An image that is neither run by an audited revision nor the newest of its repository is out of scope: its scan
// event audits nothing.
func TestOlderImageIsOutOfScope(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	for _, ev := range []string{"ecr-create-repository.json", "ecr-image-action-push.json", "ecr-image-scan.json"} {
		if err := step(t, e, ev).Apply(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	// A newer image lands in the same repository after the sample digest (push times have a one-second resolution).
	time.Sleep(1100 * time.Millisecond)
	manifest := `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1,"digest":"sha256:` +
		strings.Repeat("3", 64) + `"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":2,"digest":"sha256:` + strings.Repeat("4", 64) + `"}]}`
	client := ecr.NewFromConfig(e.Config)
	if _, err := client.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("web"), ImageTag: aws.String("1.5.0"),
		ImageDigest: aws.String("sha256:" + strings.Repeat("5", 64)), ImageManifest: &manifest}); err != nil {
		t.Fatal(err)
	}
	deliver(t, e, "EcrAuditor", "ecr-image-scan.json")
	for _, f := range findings(t, e, "sha256:eec5ee479aeeda42d35e90fa1eeebf99ad0876eb5609b46c72e51b0bf41a751f") {
		if f.RecordState == shtypes.RecordStateActive {
			t.Errorf("an out-of-scope image got an active finding: %s", aws.ToString(f.Id))
		}
	}
}

// SEVERITY_THRESHOLD keeps lower findings out of Security Hub.
func TestSeverityThreshold(t *testing.T) {
	e := start(t, map[string]string{"SEVERITY_THRESHOLD": "HIGH"})
	deliver(t, e, "Sweeper", "scheduled-sweep.json")
	fs := findings(t, e, "task-definition/legacy-worker:1")
	if len(fs) == 0 {
		t.Fatal("no findings on legacy-worker")
	}
	for _, f := range fs {
		if f.Severity.Label != shtypes.SeverityLabelHigh && f.Severity.Label != shtypes.SeverityLabelCritical {
			t.Errorf("%s has severity %s, under the threshold", aws.ToString(f.GeneratorId), f.Severity.Label)
		}
	}
}

// A RegisterTaskDefinition event whose response names only the family audits the family's latest ACTIVE revision.
func TestFamilyOnlyEventAuditsLatestRevision(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	if err := step(t, e, "ecs-register-task-definition.json").Apply(ctx, e); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root(), "events", "ecs-register-task-definition.json"))
	if err != nil {
		t.Fatal(err)
	}
	cut := strings.Replace(string(data), `"taskDefinitionArn": "arn:aws:ecs:us-east-1:111122223333:task-definition/web:7"`, `"family": "web"`, 1)
	if cut == string(data) {
		t.Fatal("the sample event's response no longer has the expected ARN")
	}
	if err := e.Funcs["TaskDefinitionAuditor"].Handle(ctx, []byte(cut)); err != nil {
		t.Fatal(err)
	}
	if len(findings(t, e, "task-definition/web:7")) == 0 {
		t.Errorf("web:7, the latest ACTIVE revision, was not audited")
	}
}
