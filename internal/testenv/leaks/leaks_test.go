package leaks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsaudit/ecsaudit/internal/cli"
	"github.com/ecsaudit/ecsaudit/internal/testenv/demo"
)

func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// plant returns the planted value of the field that starts with prefix.
func plant(prefix string) string {
	for _, p := range Plants {
		if strings.HasPrefix(p.Field, prefix) {
			return p.Value
		}
	}
	panic("no plant " + prefix)
}

// taskDefinition is the RegisterTaskDefinition input with a planted value in every field that takes free text.
func taskDefinition() map[string]any {
	kv := func(k, v string) map[string]any { return map[string]any{"name": k, "value": v} }
	return map[string]any{
		"family":                  Identifiers[0],
		"networkMode":             "bridge",
		"requiresCompatibilities": []string{"EC2"},
		"containerDefinitions": []any{
			map[string]any{
				"name":      Identifiers[1],
				"image":     "111122223333.dkr.ecr.us-east-1.amazonaws.com/" + Identifiers[2] + ":1.0",
				"memory":    256,
				"essential": true,
				"environment": []any{
					kv(plant("container environment variable name"), plant("container environment variable value (Stripe")),
					kv("AWS_ACCESS_KEY_ID", plant("container environment variable value (access key ID)")),
					kv("SESSION", plant("container environment variable value (signed JWT)")),
					kv("DB_PASSWORD", plant("container environment variable value (plain")),
				},
				"secrets":      []any{map[string]any{"name": plant("container secret name"), "valueFrom": plant("container secret valueFrom")}},
				"dockerLabels": map[string]string{"com.example.auth": plant("container docker label")},
				"command":      []string{plant("container command")},
				"entryPoint":   []string{plant("container entryPoint")},
				"logConfiguration": map[string]any{"logDriver": "awslogs", "options": map[string]string{
					"awslogs-group": "/ecs/planted", "secret-token": plant("container log option")}},
				"healthCheck":           map[string]any{"command": []string{"CMD-SHELL", plant("container health check command")}},
				"repositoryCredentials": map[string]any{"credentialsParameter": plant("container repository credentials")},
			},
			map[string]any{
				"name": "planted-router", "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0", "memory": 128,
				"firelensConfiguration": map[string]any{"type": "fluentbit", "options": map[string]string{"config-token": plant("container firelens option")}},
			},
		},
		"volumes": []any{map[string]any{"name": "planted-volume", "dockerVolumeConfiguration": map[string]any{
			"scope": "task", "driver": "local", "driverOpts": map[string]string{"password": plant("docker volume driver option")}}}},
		"tags": []any{
			map[string]any{"key": "db-password", "value": plant("task definition tag value")},
			map[string]any{"key": plant("task definition tag key"), "value": "x"},
		},
	}
}

func repositoryPolicy() string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"Pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},` +
		`"Action":["ecr:BatchGetImage"],"Condition":{"StringEquals":{"aws:PrincipalTag/token":"` + plant("repository policy") + `"}}}]}`
}

func lifecyclePolicy() string {
	return `{"rules":[{"rulePriority":1,"description":"` + plant("lifecycle policy") + `","selection":{"tagStatus":"untagged",` +
		`"countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}`
}

// cliOutputs scans the planted task definition and repository, as files, in every format.
func cliOutputs(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	td := taskDefinition()
	tags := td["tags"]
	delete(td, "tags")
	td["taskDefinitionArn"] = "arn:aws:ecs:us-east-1:111122223333:task-definition/" + Identifiers[0] + ":1"
	td["revision"] = 1
	td["status"] = "ACTIVE"
	repo := map[string]any{
		"repositories": []any{map[string]any{
			"repositoryArn": "arn:aws:ecr:us-east-1:111122223333:repository/" + Identifiers[2], "registryId": "111122223333",
			"repositoryName": Identifiers[2], "imageTagMutability": "MUTABLE", "imageScanningConfiguration": map[string]any{"scanOnPush": false},
		}},
		"tags":               map[string]any{Identifiers[2]: []any{map[string]string{"Key": "api-token", "Value": plant("repository tag value")}}},
		"lifecyclePolicies":  []any{map[string]string{"registryId": "111122223333", "repositoryName": Identifiers[2], "lifecyclePolicyText": lifecyclePolicy()}},
		"repositoryPolicies": []any{map[string]string{"registryId": "111122223333", "repositoryName": Identifiers[2], "policyText": repositoryPolicy()}},
	}
	for name, doc := range map[string]any{"taskdef.json": map[string]any{"taskDefinition": td, "tags": tags}, "repository.json": repo} {
		data, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]string{}
	for _, format := range []string{"text", "json", "sarif", "asff"} {
		var stdout, stderr bytes.Buffer
		code := cli.Run([]string{"scan", "--format", format, "--account", "111122223333", "--region", "us-east-1", dir},
			cli.IO{Stdout: &stdout, Stderr: &stderr})
		if code != cli.ExitFindings {
			t.Fatalf("scan --format %s exited %d: %s", format, code, stderr.String())
		}
		if !strings.Contains(stdout.String(), Identifiers[0]) || !strings.Contains(stdout.String(), Identifiers[2]) {
			t.Fatalf("scan --format %s reports neither planted resource: the search would pass vacuously", format)
		}
		out["CLI --format "+format] = stdout.String() + stderr.String()
	}
	return out
}

// functionOutputs registers the planted task definition and repository in the emulator, runs the demo's events and
// a sweep through the three functions, and returns what they left: Security Hub's findings, the state table, the
// SNS messages and the logs.
func functionOutputs(t *testing.T) map[string]string {
	t.Helper()
	ctx := context.Background()
	e, err := demo.StartWith(ctx, root(), map[string]string{"BASELINE_MODE": "false", "NOTIFY_THRESHOLD": "LOW", "REPORT_PASSES": "true"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	raw, err := json.Marshal(taskDefinition())
	if err != nil {
		t.Fatal(err)
	}
	var reg ecs.RegisterTaskDefinitionInput
	if err := json.Unmarshal(raw, &reg); err != nil {
		t.Fatal(err)
	}
	if _, err := ecs.NewFromConfig(e.Config).RegisterTaskDefinition(ctx, &reg); err != nil {
		t.Fatalf("register the planted task definition: %v", err)
	}
	ecrc := ecr.NewFromConfig(e.Config)
	if _, err := ecrc.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(Identifiers[2]),
		Tags: []ecrtypes.Tag{{Key: aws.String("api-token"), Value: aws.String(plant("repository tag value"))}}}); err != nil {
		t.Fatalf("create the planted repository: %v", err)
	}
	if _, err := ecrc.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String(Identifiers[2]), PolicyText: aws.String(repositoryPolicy())}); err != nil {
		t.Fatalf("set the planted repository policy: %v", err)
	}
	if _, err := ecrc.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String(Identifiers[2]), LifecyclePolicyText: aws.String(lifecyclePolicy())}); err != nil {
		t.Fatalf("put the planted lifecycle policy: %v", err)
	}
	for _, s := range demo.Steps() {
		if err := e.Do(ctx, s); err != nil {
			t.Fatalf("%s: %v", s.Event, err)
		}
	}
	sweep, err := os.ReadFile(filepath.Join(root(), "events", "scheduled-sweep.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Funcs["Sweeper"].Handle(ctx, sweep); err != nil {
		t.Fatalf("sweep: %v", err)
	}

	out := map[string]string{}
	findings, err := e.Findings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(findings)
	if err != nil {
		t.Fatal(err)
	}
	out["Security Hub findings (GetFindings)"] = string(data)
	if !strings.Contains(out["Security Hub findings (GetFindings)"], Identifiers[0]) || !strings.Contains(out["Security Hub findings (GetFindings)"], Identifiers[2]) {
		t.Fatal("Security Hub holds no finding of the planted resources: the search would pass vacuously")
	}
	var items strings.Builder
	p := dynamodb.NewScanPaginator(dynamodb.NewFromConfig(e.Config), &dynamodb.ScanInput{TableName: aws.String("ecsaudit-state")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("scan the state table: %v", err)
		}
		for _, it := range page.Items {
			writeItem(&items, it)
		}
	}
	out["state table items (Scan)"] = items.String()
	if !strings.Contains(items.String(), Identifiers[0]) {
		t.Fatal("the state table holds nothing of the planted task definition: the search would pass vacuously")
	}
	msgs, err := e.Notifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) == 0 {
		t.Fatal("no SNS message was received: the search would pass vacuously")
	}
	var sb strings.Builder
	for _, m := range msgs {
		sb.WriteString(m[0] + "\n" + m[1] + "\n")
	}
	out["SNS messages (SQS subscription)"] = sb.String()
	logs, err := os.ReadFile(e.LogPath())
	if err != nil {
		t.Fatal(err)
	}
	out["function logs"] = string(logs)
	return out
}

// writeItem writes every attribute of a state item, nested ones included.
func writeItem(b *strings.Builder, item map[string]ddbtypes.AttributeValue) {
	keys := make([]string, 0, len(item))
	for k := range item {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(k + "=")
		writeValue(b, item[k])
		b.WriteByte('\n')
	}
}

func writeValue(b *strings.Builder, v ddbtypes.AttributeValue) {
	switch v := v.(type) {
	case *ddbtypes.AttributeValueMemberS:
		b.WriteString(v.Value)
	case *ddbtypes.AttributeValueMemberN:
		b.WriteString(v.Value)
	case *ddbtypes.AttributeValueMemberB:
		b.Write(v.Value)
	case *ddbtypes.AttributeValueMemberSS:
		b.WriteString(strings.Join(v.Value, ","))
	case *ddbtypes.AttributeValueMemberBS:
		for _, x := range v.Value {
			b.Write(x)
		}
	case *ddbtypes.AttributeValueMemberL:
		for _, x := range v.Value {
			writeValue(b, x)
			b.WriteByte(',')
		}
	case *ddbtypes.AttributeValueMemberM:
		writeItem(b, v.Value)
	default:
		fmt.Fprintf(b, "%v", v)
	}
}

// TestNothingLeaks searches every output of the CLI and of the functions for every planted value.
func TestNothingLeaks(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the emulator")
	}
	outputs := cliOutputs(t)
	for k, v := range functionOutputs(t) {
		outputs[k] = v
	}
	for _, l := range Search(outputs, Plants) {
		t.Errorf("%s: the planted %s was found", l.Where, l.Plant.Field)
	}
	for _, format := range []string{"text", "json", "sarif", "asff"} {
		if !strings.Contains(outputs["CLI --format "+format], "<redacted: looks like a password URL>") {
			t.Errorf("the %s output carries no redaction marker for the password URL variable name", format)
		}
	}
	if !strings.Contains(outputs["CLI --format json"], `\"SESSION\" (value has the format of a signed JWT)`) {
		t.Error("task.secrets-in-environment does not report the signed JWT in SESSION")
	}
	var where []string
	for k := range outputs {
		where = append(where, k)
	}
	sort.Strings(where)
	t.Logf("searched %d planted values in: %s", len(Plants), strings.Join(where, "; "))
}

// TestSearchFindsALeak guards the test: a planted value in an output, as it is or JSON-escaped, is found.
func TestSearchFindsALeak(t *testing.T) {
	p := Plant{"field", "redis://:PlantedX@host"}
	got := Search(map[string]string{
		"clean":   "nothing here",
		"plain":   `{"Name":"redis://:PlantedX@host"}`,
		"escaped": `{"Name":"redis:\/\/:PlantedX@host"}`,
	}, []Plant{p})
	if len(got) != 2 || got[0].Where != "escaped" || got[1].Where != "plain" {
		t.Errorf("Search = %+v, want the plain and the escaped output", got)
	}
	seen := map[string]bool{}
	for _, p := range Plants {
		if len(p.Value) < 16 || seen[p.Value] {
			t.Errorf("plant %s: %q is short or planted twice: a search for it may match other text", p.Field, p.Value)
		}
		seen[p.Value] = true
	}
}
