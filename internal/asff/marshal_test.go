package asff

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/report"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// leakyJSON plants a marker in every place of a task definition that can hold a secret.
const leakyJSON = `{
  "taskDefinition": {
    "taskDefinitionArn": "arn:aws:ecs:us-east-1:111122223333:task-definition/leaky:1",
    "family": "leaky", "revision": 1, "networkMode": "bridge",
    "volumes": [{"name": "share", "dockerVolumeConfiguration": {"driver": "local", "scope": "task",
      "driverOpts": {"o": "username=svc,password=PLANTED-DRIVER-OPT"}, "labels": {"note": "PLANTED-VOLUME-LABEL"}}}],
    "containerDefinitions": [{
      "name": "app", "image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1.0",
      "environment": [
        {"name": "API_TOKEN", "value": "PLANTED-ENV-VALUE"},
        {"name": "AWS_SECRET_ACCESS_KEY", "value": "PLANTEDwJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"}
      ],
      "environmentFiles": [{"value": "arn:aws:s3:::bucket/PLANTED-ENV-FILE.env", "type": "s3"}],
      "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:us-east-1:111122223333:secret:PLANTED-SECRET-REF"}],
      "dockerLabels": {"traefik.http.middlewares.auth.basicauth.users": "admin:PLANTED-DOCKER-LABEL"},
      "command": ["--password", "PLANTED-COMMAND-ARG"],
      "entryPoint": ["sh", "-c", "PLANTED-ENTRY-POINT"],
      "repositoryCredentials": {"credentialsParameter": "arn:aws:secretsmanager:us-east-1:111122223333:secret:PLANTED-REPO-CREDS"},
      "logConfiguration": {"logDriver": "splunk", "options": {"splunk-token": "PLANTED-LOG-OPTION"},
        "secretOptions": [{"name": "splunk-url", "valueFrom": "arn:aws:ssm:us-east-1:111122223333:parameter/PLANTED-LOG-SECRET"}]},
      "healthCheck": {"command": ["CMD-SHELL", "curl -u admin:PLANTED-HEALTH-CHECK http://localhost/"]},
      "extraHosts": [{"hostname": "PLANTED-EXTRA-HOST", "ipAddress": "10.0.0.1"}],
      "firelensConfiguration": {"type": "fluentbit", "options": {"config-file-value": "PLANTED-FIRELENS-OPTION"}}
    }, {
      "name": "log-router", "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0", "essential": false,
      "environment": [{"name": "FLB_LOG_LEVEL", "value": "PLANTED-SECOND-CONTAINER"}]
    }]
  }
}`

func TestNoSecretLeavesInASFF(t *testing.T) {
	fs := evaluate(t, load.Options{}, leakyJSON)
	var out []types.AwsSecurityFinding
	for i := range fs {
		if fs[i].Status == rule.NotApplicable {
			continue
		}
		out = append(out, build(t, &fs[i], Params{Version: "test", UpdatedAt: now}))
	}
	if len(out) == 0 {
		t.Fatal("no findings to check")
	}
	data, err := Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if i := bytes.Index(bytes.ToUpper(data), []byte("PLANTED")); i >= 0 {
		lo, hi := max(0, i-200), min(len(data), i+100)
		t.Fatalf("a planted secret reached the ASFF output:\n%s", data[lo:hi])
	}
	// The details were sent, names included: the check above looked at something.
	for _, want := range []string{`"Name": "API_TOKEN"`, `"Name": "AWS_SECRET_ACCESS_KEY"`, `"Name": "DB_PASSWORD"`,
		`"Name": "FLB_LOG_LEVEL"`, `"LogDriver": "splunk"`, `"Driver": "local"`, `"Name": "log-router"`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("output lacks %s", want)
		}
	}
	checkMarshal(t, data)
}

func TestMarshalDropsNullAndEmpty(t *testing.T) {
	f := types.AwsSecurityFinding{
		Id:            str("id-1"),
		Title:         new(string), // empty: dropped
		Types:         []string{},
		ProductFields: map[string]string{"k": "v", "empty": ""},
		Severity:      &types.Severity{Label: types.SeverityLabelLow},
		Compliance:    &types.Compliance{}, // nothing set: dropped
		Resources: []types.Resource{{
			Id:   str("arn:aws:ecs:us-east-1:111122223333:task-definition/x:1"),
			Tags: map[string]string{},
			Details: &types.ResourceDetails{AwsEcsTaskDefinition: &types.AwsEcsTaskDefinitionDetails{
				ContainerDefinitions: []types.AwsEcsTaskDefinitionContainerDefinitionsDetails{{
					Name:       str("c"),
					Privileged: new(bool), // false, but set: kept
					Cpu:        new(int32),
					DnsServers: []string{""},
				}},
			}},
		}},
	}
	data, err := Marshal([]types.AwsSecurityFinding{f})
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		t.Fatal(err)
	}
	want := `[{"Id":"id-1","ProductFields":{"k":"v"},"Resources":[{"Details":{"AwsEcsTaskDefinition":{"ContainerDefinitions":` +
		`[{"Cpu":0,"Name":"c","Privileged":false}]}},"Id":"arn:aws:ecs:us-east-1:111122223333:task-definition/x:1"}],"Severity":{"Label":"LOW"}}]`
	if compact.String() != want {
		t.Errorf("Marshal\n got %s\nwant %s", compact.String(), want)
	}
	if n := Size(f); n != len(want)-2 {
		t.Errorf("Size = %d, want %d", n, len(want)-2)
	}
	empty, err := Marshal(nil)
	if err != nil || strings.TrimSpace(string(empty)) != "[]" {
		t.Errorf("Marshal(nil) = %q, %v", empty, err)
	}
}

func TestMarshalKeysAreASFF(t *testing.T) {
	fs := evaluate(t, load.Options{}, taskJSON, ecrJSON)
	var out []types.AwsSecurityFinding
	for i := range fs {
		out = append(out, build(t, &fs[i], Params{Version: "1.0.0", CreatedAt: created, UpdatedAt: now, Region: "us-east-1"}))
	}
	data, err := Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	list := checkMarshal(t, data)
	if len(list) != len(fs) {
		t.Fatalf("%d findings marshalled, want %d", len(list), len(fs))
	}
	top := list[0].(map[string]any)
	for _, k := range []string{"SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Types", "CreatedAt", "UpdatedAt",
		"Severity", "Title", "Description", "Resources"} {
		if _, ok := top[k]; !ok {
			t.Errorf("required member %s missing", k)
		}
	}
}

func TestWriter(t *testing.T) {
	fs := evaluate(t, load.Options{}, taskJSON)
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
	rep := &report.Report{Findings: fs, Now: now, Version: "9.9.9"}

	var buf bytes.Buffer
	if err := (Writer{}).Write(&buf, rep); err != nil {
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
		if g.Id == na.ID() || g.ProductFields[FieldStatus] == string(rule.NotApplicable) {
			t.Errorf("NOT_APPLICABLE finding %s written", g.Id)
		}
		if g.CreatedAt != "2026-11-01T11:00:00.123Z" || g.UpdatedAt != g.CreatedAt || g.ProductFields[FieldVersion] != "9.9.9" {
			t.Errorf("%s: CreatedAt %s UpdatedAt %s version %s", g.Id, g.CreatedAt, g.UpdatedAt, g.ProductFields[FieldVersion])
		}
	}

	rep.OnlyFailed = true
	buf.Reset()
	if err := (Writer{}).Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil || len(got) != statuses[rule.Failed] {
		t.Errorf("--only-failed: %d findings, want %d (%v)", len(got), statuses[rule.Failed], err)
	}
}

func TestWriterAccountAndRegion(t *testing.T) {
	fs := evaluate(t, load.Options{}, `{"family": "bare", "revision": 2, "containerDefinitions": [{"name": "c", "image": "nginx"}]}`)
	rep := &report.Report{Findings: fs, Now: now}
	var buf bytes.Buffer
	err := (Writer{}).Write(&buf, rep)
	if err == nil || !strings.Contains(err.Error(), "--account") {
		t.Fatalf("Write without account = %v, want an error naming --account", err)
	}
	buf.Reset()
	if err := (Writer{Account: "111122223333", Region: "eu-central-1"}).Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"Id": "arn:aws:ecs:eu-central-1:111122223333:task-definition/bare:2"`) ||
		!strings.Contains(buf.String(), `"ProductArn": "arn:aws:securityhub:eu-central-1:111122223333:product/111122223333/default"`) {
		t.Errorf("account and region not applied:\n%s", buf.String())
	}
}

func TestWriterEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := (Writer{}).Write(&buf, &report.Report{Findings: []engine.Finding{}, Now: now}); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(buf.String()) != "[]" {
		t.Errorf("empty report wrote %q, want []", buf.String())
	}
}
