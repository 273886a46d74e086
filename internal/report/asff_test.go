package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/asff"
	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

var asffNow = time.Date(2026, 11, 1, 12, 0, 0, 123456789, time.FixedZone("CET", 3600))

// asffTaskJSON is a task definition whose findings are FAILED, PASSED and SUPPRESSED.
const asffTaskJSON = `{
  "taskDefinition": {
    "taskDefinitionArn": "arn:aws:ecs:eu-west-1:111122223333:task-definition/web:3",
    "family": "web", "revision": 3, "status": "ACTIVE",
    "networkMode": "awsvpc", "cpu": "256", "memory": "512",
    "requiresCompatibilities": ["FARGATE"],
    "taskRoleArn": "arn:aws:iam::111122223333:role/web-task",
    "executionRoleArn": "arn:aws:iam::111122223333:role/web-exec",
    "volumes": [{"name": "data", "efsVolumeConfiguration": {"fileSystemId": "fs-1234", "transitEncryption": "ENABLED"}}],
    "containerDefinitions": [{
      "name": "app", "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:1.2", "essential": true,
      "privileged": true, "user": "1000", "readonlyRootFilesystem": true, "memory": 256,
      "linuxParameters": {"capabilities": {"add": ["SYS_ADMIN"], "drop": ["ALL"]}},
      "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
      "mountPoints": [{"sourceVolume": "data", "containerPath": "/data", "readOnly": true}],
      "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web"}},
      "environment": [{"name": "MODE", "value": "production"}],
      "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:eu-west-1:111122223333:parameter/db"}]
    }]
  },
  "tags": [{"key": "team", "value": "payments"}, {"key": "ecsaudit:suppress", "value": "task.added-capabilities@app until=2026-12-31"}]
}`

// evaluateASFF loads documents and runs the shipped catalog over them.
func evaluateASFF(t *testing.T, opts load.Options, docs ...string) []engine.Finding {
	t.Helper()
	opts.Strict = true
	s := load.NewSet(opts)
	for i, d := range docs {
		if err := s.Add("doc"+string(rune('0'+i))+".json", []byte(d)); err != nil {
			t.Fatalf("load: %v", err)
		}
	}
	s.Link()
	e := engine.New(catalog.Default(), nil)
	return e.Evaluate(s.Resources(), asffNow)
}

func TestASFFWriter(t *testing.T) {
	fs := evaluateASFF(t, load.Options{}, asffTaskJSON)
	statuses := map[rule.Status]int{}
	for _, f := range fs {
		statuses[f.Status]++
	}
	if statuses[rule.Failed] == 0 || statuses[rule.Passed] == 0 || statuses[rule.Suppressed] == 0 {
		t.Fatalf("fixture: want FAILED, PASSED and SUPPRESSED findings, got %v", statuses)
	}
	// A NOT_APPLICABLE result is never sent.
	na := fs[0]
	na.Container, na.Status = "not-applicable", rule.NotApplicable
	fs = append(fs, na)
	rep := &Report{Findings: fs, Now: asffNow, Version: "9.9.9"}

	var buf bytes.Buffer
	if err := (ASFF{}).Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	var got []struct {
		Id, CreatedAt, UpdatedAt string
		ProductFields            map[string]string
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("output is not a JSON list of findings: %v", err)
	}
	if want := len(fs) - statuses[rule.NotApplicable] - 1; len(got) != want {
		t.Fatalf("%d findings written, want %d (all but NOT_APPLICABLE)", len(got), want)
	}
	for _, g := range got {
		if g.Id == na.ID() || g.ProductFields[asff.FieldStatus] == string(rule.NotApplicable) {
			t.Errorf("NOT_APPLICABLE finding %s written", g.Id)
		}
		if g.CreatedAt != "2026-11-01T11:00:00.123Z" || g.UpdatedAt != g.CreatedAt || g.ProductFields[asff.FieldVersion] != "9.9.9" {
			t.Errorf("%s: CreatedAt %s UpdatedAt %s version %s", g.Id, g.CreatedAt, g.UpdatedAt, g.ProductFields[asff.FieldVersion])
		}
	}

	rep.OnlyFailed = true
	buf.Reset()
	if err := (ASFF{}).Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil || len(got) != statuses[rule.Failed] {
		t.Errorf("--only-failed: %d findings, want %d (%v)", len(got), statuses[rule.Failed], err)
	}
}

func TestASFFWriterAccountAndRegion(t *testing.T) {
	fs := evaluateASFF(t, load.Options{}, `{"family": "bare", "revision": 2, "containerDefinitions": [{"name": "c", "image": "nginx"}]}`)
	rep := &Report{Findings: fs, Now: asffNow}
	var buf bytes.Buffer
	err := (ASFF{}).Write(&buf, rep)
	if err == nil || !strings.Contains(err.Error(), "--account") {
		t.Fatalf("Write without account = %v, want an error naming --account", err)
	}
	buf.Reset()
	if err := (ASFF{Account: "111122223333", Region: "eu-central-1"}).Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"Id": "arn:aws:ecs:eu-central-1:111122223333:task-definition/bare:2"`) ||
		!strings.Contains(buf.String(), `"ProductArn": "arn:aws:securityhub:eu-central-1:111122223333:product/111122223333/default"`) {
		t.Errorf("account and region not applied:\n%s", buf.String())
	}
}

func TestASFFWriterEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := (ASFF{}).Write(&buf, &Report{Findings: []engine.Finding{}, Now: asffNow}); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(buf.String()) != "[]" {
		t.Errorf("empty report wrote %q, want []", buf.String())
	}
}

// TestASFFWriterWritesWhatMarshalWould checks that the writer, which describes each resource once for all its
// findings (asff.Params.Resources) and writes findings one at a time, writes what asff.Marshal writes for the same
// findings built one at a time.
func TestASFFWriterWritesWhatMarshalWould(t *testing.T) {
	fs := evaluateASFF(t, load.Options{Account: "111122223333", Region: "us-east-1"}, asffTaskJSON)
	r := &Report{Findings: fs, Now: asffNow, Version: "test"}
	var got bytes.Buffer
	if err := (ASFF{}).Write(&got, r); err != nil {
		t.Fatal(err)
	}
	p := asff.Params{Version: "test", CreatedAt: asffNow, UpdatedAt: asffNow}
	var want []types.AwsSecurityFinding
	shown := r.Shown()
	for i := range shown {
		if shown[i].Status == rule.NotApplicable {
			continue
		}
		f, err := asff.Build(&shown[i], p)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, f)
	}
	wantText, err := asff.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 10 || !bytes.Equal(got.Bytes(), wantText) {
		t.Errorf("the writer's output (%d bytes) differs from the %d findings marshalled one at a time (%d bytes)",
			got.Len(), len(want), len(wantText))
	}
}
