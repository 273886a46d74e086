package hook

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func newHook() *Hook {
	return &Hook{
		Engine: engine.New(catalog.Default(), config.Default()), Block: rule.High, Region: "us-east-1",
		Now: func() time.Time { return time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC) },
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil)),
	}
}

func answer(t *testing.T, raw []byte) Response {
	t.Helper()
	resp, err := newHook().Handle(context.Background(), raw)
	if err != nil {
		t.Fatalf("Handle returned an error: %v", err)
	}
	if len(resp.Message) > MaxMessage {
		t.Errorf("message of %d bytes, over %d", len(resp.Message), MaxMessage)
	}
	if (resp.HookStatus == Failed) != (resp.ErrorCode != "") {
		t.Errorf("status %s with error code %q", resp.HookStatus, resp.ErrorCode)
	}
	return resp
}

func sample(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "events", "hook", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// request builds a request for a resource of type typ with properties props (JSON).
func request(point, typ, props string) []byte {
	return []byte(fmt.Sprintf(`{"clientRequestToken": "tok", "awsAccountId": "111122223333", "actionInvocationPoint": %q,
		"requestData": {"targetName": %q, "targetType": "RESOURCE", "targetLogicalId": "Res",
		"targetModel": {"resourceProperties": %s}}}`, point, typ, props))
}

func TestSamples(t *testing.T) {
	blocked := answer(t, sample(t, "create-task-definition-privileged.json"))
	if blocked.HookStatus != Failed || blocked.ErrorCode != NonCompliant || blocked.ClientRequestToken != "1f2e3d4c-5b6a-4789-8abc-def012345678" {
		t.Fatalf("privileged CREATE: %+v", blocked)
	}
	for _, want := range []string{"WorkerTask", "task.privileged-container", `(container "worker")`, "Fix: "} {
		if !strings.Contains(blocked.Message, want) {
			t.Errorf("the message lacks %q: %s", want, blocked.Message)
		}
	}
	passed := answer(t, sample(t, "update-task-definition.json"))
	if passed.HookStatus != Success || passed.ErrorCode != "" || !strings.Contains(passed.Message, "no finding at or above HIGH") {
		t.Errorf("hardened UPDATE: %+v", passed)
	}
}

func TestAnswers(t *testing.T) {
	privileged := `{"Family": "w", "ContainerDefinitions": [{"Name": "app", "Image": "busybox:1", "Privileged": "true"}]}`
	// A hardened container that needs privileged mode, waived by the task definition's tag.
	waived := `{"Family": "w", "Memory": "512", "Tags": [{"Key": "ecsaudit:suppress", "Value": "task.privileged-container until=2027-01-01"}],
		"ContainerDefinitions": [{"Name": "app", "Image": "busybox:1", "Privileged": "true", "User": "1000", "ReadonlyRootFilesystem": "true",
		"LogConfiguration": {"LogDriver": "awslogs", "Options": {"awslogs-group": "g", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "p"}}}]}`
	tests := []struct {
		name, point, typ, props string
		status, code            string
		want                    string
	}{
		{"privileged, properties as strings", "CREATE_PRE_PROVISION", "AWS::ECS::TaskDefinition", privileged, Failed, NonCompliant, "task.privileged-container"},
		{"privileged, booleans", "UPDATE_PRE_PROVISION", "AWS::ECS::TaskDefinition", strings.Replace(privileged, `"true"`, "true", 1), Failed, NonCompliant, "task.privileged-container"},
		{"waived by its tag", "CREATE_PRE_PROVISION", "AWS::ECS::TaskDefinition", waived, Success, "", "no finding at or above HIGH"},
		{"public repository policy", "CREATE_PRE_PROVISION", "AWS::ECR::Repository",
			`{"RepositoryName": "web", "RepositoryPolicyText": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}]}}`,
			Failed, NonCompliant, "repo.public-policy"},
		{"public service", "CREATE_PRE_PROVISION", "AWS::ECS::Service",
			`{"ServiceName": "web", "NetworkConfiguration": {"AwsvpcConfiguration": {"Subnets": ["subnet-1"], "AssignPublicIp": "ENABLED"}}}`,
			Failed, NonCompliant, "service.public-ip"},
		{"deletion", "DELETE_PRE_PROVISION", "AWS::ECS::TaskDefinition", privileged, Success, "", "deletions"},
		{"another type", "CREATE_PRE_PROVISION", "AWS::S3::Bucket", `{}`, Success, "", "does not evaluate AWS::S3::Bucket"},
		{"a value the API refuses", "CREATE_PRE_PROVISION", "AWS::ECS::TaskDefinition",
			`{"NetworkMode": "bridged", "ContainerDefinitions": [{"Name": "a", "Image": "b"}]}`, Failed, InternalFailed, "NetworkMode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := answer(t, request(tt.point, tt.typ, tt.props))
			if resp.HookStatus != tt.status || resp.ErrorCode != tt.code || !strings.Contains(resp.Message, tt.want) || resp.ClientRequestToken != "tok" {
				t.Errorf("got %+v; want %s %s with %q", resp, tt.status, tt.code, tt.want)
			}
		})
	}
	if resp := answer(t, []byte(`{"requestData": [`)); resp.HookStatus != Failed || resp.ErrorCode != InternalFailed {
		t.Errorf("a request that is not JSON: %+v", resp)
	}
}

// TestMessageFitsAndKeepsSecrets: with many blocking findings the message stays within CloudFormation's limit and
// says how many it left out; a credential in the properties never reaches it.
func TestMessageFitsAndKeepsSecrets(t *testing.T) {
	var cs []string
	for i := range 200 {
		cs = append(cs, fmt.Sprintf(`{"Name": "c%03d", "Image": "busybox:1", "Privileged": "true",
			"Environment": [{"Name": "AWS_SECRET_ACCESS_KEY", "Value": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY%03d"}]}`, i, i))
	}
	resp := answer(t, request("CREATE_PRE_PROVISION", "AWS::ECS::TaskDefinition", `{"Family": "wide", "ContainerDefinitions": [`+strings.Join(cs, ",")+`]}`))
	if resp.HookStatus != Failed || !strings.Contains(resp.Message, "more (ecsaudit scan shows them all)") {
		t.Errorf("200 privileged containers: %s %d bytes: %.300s", resp.HookStatus, len(resp.Message), resp.Message)
	}
	if strings.Contains(resp.Message, "wJalrXUtnFEMI") || strings.Contains(resp.Message, "EXAMPLEKEY") {
		t.Errorf("the message carries the secret's value: %.500s", resp.Message)
	}
	var doc map[string]any
	if err := json.Unmarshal(mustJSON(t, resp), &doc); err != nil || doc["callbackContext"] != nil || doc["hookStatus"] != Failed {
		t.Errorf("the answer as JSON: %v %v", doc, err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
