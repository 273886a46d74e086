package asff

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/load"
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
