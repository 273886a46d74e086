package asff

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

var (
	created = time.Date(2026, 10, 1, 8, 30, 0, 0, time.UTC)
	now     = time.Date(2026, 11, 1, 12, 0, 0, 123456789, time.FixedZone("CET", 3600))
)

const taskJSON = `{
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

// evaluate loads documents and runs the shipped catalog over them.
func evaluate(t *testing.T, opts load.Options, docs ...string) []engine.Finding {
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
	return e.Evaluate(s.Resources(), now)
}

func find(t *testing.T, fs []engine.Finding, ruleID, container string) *engine.Finding {
	t.Helper()
	for i := range fs {
		if fs[i].Rule.ID == ruleID && fs[i].Container == container {
			return &fs[i]
		}
	}
	t.Fatalf("no %s finding for container %q among %d findings", ruleID, container, len(fs))
	return nil
}

func build(t *testing.T, f *engine.Finding, p Params) types.AwsSecurityFinding {
	t.Helper()
	out, err := Build(f, p)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return out
}

func TestBuildTaskDefinitionFinding(t *testing.T) {
	fs := evaluate(t, load.Options{}, taskJSON)
	f := find(t, fs, "task.privileged-container", "app")
	if f.Status != rule.Failed {
		t.Fatalf("fixture: privileged container is %s, want FAILED", f.Status)
	}
	got := build(t, f, Params{Version: "1.2.3", CreatedAt: created, UpdatedAt: now})

	arn := "arn:aws:ecs:eu-west-1:111122223333:task-definition/web:3"
	meta := f.Rule
	scalars := map[string]*string{
		"SchemaVersion":   got.SchemaVersion,
		"Id":              got.Id,
		"ProductArn":      got.ProductArn,
		"GeneratorId":     got.GeneratorId,
		"AwsAccountId":    got.AwsAccountId,
		"Region":          got.Region,
		"CompanyName":     got.CompanyName,
		"ProductName":     got.ProductName,
		"Title":           got.Title,
		"Description":     got.Description,
		"CreatedAt":       got.CreatedAt,
		"FirstObservedAt": got.FirstObservedAt,
		"UpdatedAt":       got.UpdatedAt,
		"LastObservedAt":  got.LastObservedAt,
	}
	want := map[string]string{
		"SchemaVersion":   "2018-10-08",
		"Id":              engine.FindingID("task.privileged-container", arn, "app"),
		"ProductArn":      "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default",
		"GeneratorId":     "task.privileged-container",
		"AwsAccountId":    "111122223333",
		"Region":          "eu-west-1",
		"CompanyName":     "ecsaudit",
		"ProductName":     "ecsaudit",
		"Title":           meta.Title + " (container app)",
		"Description":     meta.Description + ` Container "app" sets privileged: true.`, // the detail, as a sentence
		"CreatedAt":       "2026-10-01T08:30:00.000Z",
		"FirstObservedAt": "2026-10-01T08:30:00.000Z",
		"UpdatedAt":       "2026-11-01T11:00:00.123Z",
		"LastObservedAt":  "2026-11-01T11:00:00.123Z",
	}
	for k, w := range want {
		if g := scalars[k]; g == nil || *g != w {
			t.Errorf("%s = %v, want %q", k, show(g), w)
		}
	}
	if !reflect.DeepEqual(got.Types, []string{TypeBestPractices}) {
		t.Errorf("Types = %q", got.Types)
	}
	if got.Severity == nil || got.Severity.Label != types.SeverityLabelHigh || show(got.Severity.Original) != "HIGH" {
		t.Errorf("Severity = %+v, want HIGH/HIGH", got.Severity)
	}
	fp := got.FindingProviderFields
	if fp == nil || fp.Severity == nil || fp.Severity.Label != types.SeverityLabelHigh || show(fp.Severity.Original) != "HIGH" ||
		!reflect.DeepEqual(fp.Types, got.Types) {
		t.Errorf("FindingProviderFields = %+v", fp)
	}
	if r := got.Remediation; r == nil || r.Recommendation == nil || show(r.Recommendation.Text) != meta.Remediation ||
		show(r.Recommendation.Url) != meta.RemediationURL || meta.RemediationURL == "" {
		t.Errorf("Remediation = %+v", r)
	}
	c := got.Compliance
	if c == nil || c.Status != types.ComplianceStatusFailed || show(c.SecurityControlId) != "ECS.4" ||
		!reflect.DeepEqual(c.RelatedRequirements, meta.Related) || len(meta.Related) == 0 {
		t.Errorf("Compliance = %+v", c)
	}
	if got.Workflow == nil || got.Workflow.Status != types.WorkflowStatusNew || got.RecordState != types.RecordStateActive {
		t.Errorf("Workflow = %+v, RecordState = %s", got.Workflow, got.RecordState)
	}
	wantFields := map[string]string{
		FieldRuleID: "task.privileged-container", FieldContainer: "app", FieldVersion: "1.2.3", FieldStatus: "FAILED",
		FieldPath: "containerDefinitions/0/privileged", FieldProfile: "baseline",
	}
	if !reflect.DeepEqual(got.ProductFields, wantFields) {
		t.Errorf("ProductFields = %v, want %v", got.ProductFields, wantFields)
	}

	if len(got.Resources) != 1 {
		t.Fatalf("%d resources, want 1", len(got.Resources))
	}
	res := got.Resources[0]
	if show(res.Type) != "AwsEcsTaskDefinition" || show(res.Id) != arn || res.Partition != types.PartitionAws || show(res.Region) != "eu-west-1" {
		t.Errorf("resource = %s %s %s %s", show(res.Type), show(res.Id), res.Partition, show(res.Region))
	}
	wantTags := map[string]string{"team": "payments", "ecsaudit:suppress": "task.added-capabilities@app until=2026-12-31"}
	if !reflect.DeepEqual(res.Tags, wantTags) {
		t.Errorf("Tags = %v", res.Tags)
	}
	if res.Details == nil || res.Details.AwsEcsTaskDefinition == nil {
		t.Fatal("no AwsEcsTaskDefinition details")
	}
	td := res.Details.AwsEcsTaskDefinition
	wantTD := map[string]any{
		"Family": "web", "Cpu": "256", "Memory": "512", "NetworkMode": "awsvpc", "Status": "ACTIVE",
		"RequiresCompatibilities": []any{"FARGATE"},
		"TaskRoleArn":             "arn:aws:iam::111122223333:role/web-task",
		"ExecutionRoleArn":        "arn:aws:iam::111122223333:role/web-exec",
		"Volumes":                 []any{map[string]any{"Name": "data", "EfsVolumeConfiguration": map[string]any{"FilesystemId": "fs-1234", "TransitEncryption": "ENABLED"}}},
		"ContainerDefinitions": []any{map[string]any{
			"Name": "app", "Image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:1.2", "Essential": true,
			"Privileged": true, "User": "1000", "ReadonlyRootFilesystem": true, "Memory": float64(256),
			"LinuxParameters":  map[string]any{"Capabilities": map[string]any{"Add": []any{"SYS_ADMIN"}, "Drop": []any{"ALL"}}},
			"PortMappings":     []any{map[string]any{"ContainerPort": float64(8080), "Protocol": "tcp"}},
			"MountPoints":      []any{map[string]any{"SourceVolume": "data", "ContainerPath": "/data", "ReadOnly": true}},
			"LogConfiguration": map[string]any{"LogDriver": "awslogs"},
			"Environment":      []any{map[string]any{"Name": "MODE"}},
			"Secrets":          []any{map[string]any{"Name": "DB_PASSWORD"}},
		}},
	}
	if g := decoded(t, td); !reflect.DeepEqual(g, wantTD) {
		gj, _ := json.MarshalIndent(g, "", " ")
		t.Errorf("task definition details:\n%s", gj)
	}
}

// decoded renders a value the way Marshal does and decodes it back into maps.
func decoded(t *testing.T, v any) any {
	t.Helper()
	x, _ := plain(reflect.ValueOf(v), false)
	b, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func show(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func TestBuildStatuses(t *testing.T) {
	fs := evaluate(t, load.Options{}, taskJSON)
	tests := []struct {
		name, rule       string
		status           rule.Status
		compliance       types.ComplianceStatus
		workflow         types.WorkflowStatus
		suppressedFields bool
	}{
		{"passed", "task.root-user", rule.Passed, types.ComplianceStatusPassed, types.WorkflowStatusNew, false},
		{"suppressed", "task.added-capabilities", rule.Suppressed, types.ComplianceStatusFailed, types.WorkflowStatusSuppressed, true},
		{"failed", "task.privileged-container", rule.Failed, types.ComplianceStatusFailed, types.WorkflowStatusNew, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := find(t, fs, tt.rule, "app")
			if f.Status != tt.status {
				t.Fatalf("fixture: %s is %s, want %s", tt.rule, f.Status, tt.status)
			}
			got := build(t, f, Params{UpdatedAt: now})
			if got.Compliance.Status != tt.compliance || got.Workflow.Status != tt.workflow {
				t.Errorf("compliance %s workflow %s, want %s %s", got.Compliance.Status, got.Workflow.Status, tt.compliance, tt.workflow)
			}
			if got.ProductFields[FieldStatus] != string(tt.status) {
				t.Errorf("%s = %q", FieldStatus, got.ProductFields[FieldStatus])
			}
			by, reason := got.ProductFields[FieldSuppressedBy], got.ProductFields[FieldSuppressionReason]
			if tt.suppressedFields != (by != "" && reason != "") {
				t.Errorf("suppression fields by=%q reason=%q", by, reason)
			}
			if tt.suppressedFields && got.ProductFields[FieldSuppressedUntil] != "2026-12-31" {
				t.Errorf("%s = %q", FieldSuppressedUntil, got.ProductFields[FieldSuppressedUntil])
			}
			if show(got.CreatedAt) != show(got.UpdatedAt) {
				t.Errorf("zero CreatedAt: CreatedAt %s, want UpdatedAt %s", show(got.CreatedAt), show(got.UpdatedAt))
			}
		})
	}
	for _, s := range []rule.Status{rule.NotApplicable, rule.NotAvailable} {
		f := *find(t, fs, "task.privileged-container", "app")
		f.Status = s
		if got := build(t, &f, Params{UpdatedAt: now}); got.Compliance.Status != types.ComplianceStatusNotAvailable {
			t.Errorf("%s: compliance %s, want NOT_AVAILABLE", s, got.Compliance.Status)
		}
	}
}

func TestBuildNeedsAccountAndRegion(t *testing.T) {
	// No ARN and no --account/--region: nothing to take them from.
	fs := evaluate(t, load.Options{}, `{"family": "bare", "containerDefinitions": [{"name": "c", "image": "nginx", "privileged": true}]}`)
	f := find(t, fs, "task.privileged-container", "c")
	_, err := Build(f, Params{UpdatedAt: now})
	if err == nil || !strings.Contains(err.Error(), f.ID()) || !strings.Contains(err.Error(), "--account") || !strings.Contains(err.Error(), "--region") {
		t.Fatalf("Build error = %v, want one naming %s, --account and --region", err, f.ID())
	}
	_, err = Build(f, Params{UpdatedAt: now, Account: "111122223333"})
	if err == nil || strings.Contains(err.Error(), "--account") || !strings.Contains(err.Error(), "--region") {
		t.Fatalf("Build error = %v, want one naming only --region", err)
	}
	got := build(t, f, Params{UpdatedAt: now, Account: "111122223333", Region: "us-east-2"})
	if show(got.Resources[0].Id) != "arn:aws:ecs:us-east-2:111122223333:task-definition/bare" {
		t.Errorf("resource Id = %s", show(got.Resources[0].Id))
	}
	// The finding Id is derived from the built ARN, as the Lambdas derive it from the described ARN.
	if want := engine.FindingID("task.privileged-container", "arn:aws:ecs:us-east-2:111122223333:task-definition/bare", "c"); show(got.Id) != want {
		t.Errorf("finding Id = %s, want %s", show(got.Id), want)
	}
}

func TestChinaPartition(t *testing.T) {
	if got, want := ProductARN("aws-cn", "cn-north-1", "111122223333"), "arn:aws-cn:securityhub:cn-north-1:111122223333:product/111122223333/default"; got != want {
		t.Errorf("ProductARN = %s, want %s", got, want)
	}
	if got, want := ProductARN("", "cn-northwest-1", "111122223333"), "arn:aws-cn:securityhub:cn-northwest-1:111122223333:product/111122223333/default"; got != want {
		t.Errorf("ProductARN without partition = %s, want %s", got, want)
	}
	// A task definition without ARN, located by --account/--region.
	fs := evaluate(t, load.Options{Account: "111122223333", Region: "cn-north-1"},
		`{"family": "web", "revision": 7, "containerDefinitions": [{"name": "c", "image": "nginx", "privileged": true}]}`)
	got := build(t, find(t, fs, "task.privileged-container", "c"), Params{UpdatedAt: now})
	res := got.Resources[0]
	if show(got.ProductArn) != "arn:aws-cn:securityhub:cn-north-1:111122223333:product/111122223333/default" ||
		show(res.Id) != "arn:aws-cn:ecs:cn-north-1:111122223333:task-definition/web:7" || res.Partition != types.PartitionAwsCn {
		t.Errorf("ProductArn %s, resource %s in %s", show(got.ProductArn), show(res.Id), res.Partition)
	}
	// The ARN's partition wins over a parameter.
	fs = evaluate(t, load.Options{}, `{"taskDefinitionArn": "arn:aws-cn:ecs:cn-north-1:111122223333:task-definition/web:8",
		"family": "web", "revision": 8, "containerDefinitions": [{"name": "c", "image": "nginx", "privileged": true}]}`)
	got = build(t, find(t, fs, "task.privileged-container", "c"), Params{UpdatedAt: now, Partition: "aws", Region: "us-east-1"})
	if !strings.HasPrefix(show(got.ProductArn), "arn:aws-cn:securityhub:cn-north-1:") || got.Resources[0].Partition != types.PartitionAwsCn {
		t.Errorf("ProductArn %s, partition %s", show(got.ProductArn), got.Resources[0].Partition)
	}
}

func TestTruncation(t *testing.T) {
	long := strings.Repeat("Privileged containers reach the host. ", 60) // ~2,300 characters
	meta := &rule.Meta{ID: "task.x", Title: strings.Repeat("Very long title ", 30), Description: long,
		Remediation: strings.Repeat("Do this. ", 100), Related: make([]string, 40)}
	for i := range meta.Related {
		meta.Related[i] = "anchor " + strings.Repeat("x", 300)
	}
	f := &engine.Finding{Rule: meta, Status: rule.Failed, Severity: rule.High,
		Subject: &engine.Subject{Type: rule.TypeTaskDefinition, ID: "arn:aws:ecs:us-east-1:111122223333:task-definition/web:1"},
		Detail:  `container "app" sets privileged: true`}
	got := build(t, f, Params{UpdatedAt: now})
	title, desc, text := show(got.Title), show(got.Description), show(got.Remediation.Recommendation.Text)
	if length(title) > 256 || !strings.HasSuffix(title, "…") || strings.HasSuffix(title, " …") {
		t.Errorf("title (%d chars) %q", length(title), title)
	}
	if length(desc) > 1024 || !strings.HasSuffix(desc, "… Container \"app\" sets privileged: true.") {
		t.Errorf("description (%d chars) does not keep the detail after a shortened rule description: %q", length(desc), desc)
	}
	if length(text) > 512 || !strings.HasSuffix(text, "…") {
		t.Errorf("recommendation (%d chars) %q", length(text), text)
	}
	rr := got.Compliance.RelatedRequirements
	if len(rr) != 32 || length(rr[0]) > 256 {
		t.Errorf("%d related requirements, first %d chars", len(rr), length(rr[0]))
	}

	// A detail too long to keep whole is cut like the rest.
	f.Detail = strings.Repeat("d", 2000)
	if d := show(build(t, f, Params{UpdatedAt: now}).Description); length(d) > 1024 || length(d) < 1000 || !strings.HasSuffix(d, "…") {
		t.Errorf("long detail: description has %d chars", length(d))
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"one two three four", 16, "one two three…"}, // a word boundary close to the cut
		{"one two three four", 12, "one two thr…"},   // none close enough: cut inside the word
		{"abcdefghijklmnop", 8, "abcdefg…"},
		{"ééééé", 4, "ééé…"},
		{"a😀😀😀", 5, "a😀…"}, // an emoji is two UTF-16 units, as the API counts
		{"words, more", 8, "words…"},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.max); got != tt.want || length(got) > tt.max {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestVulnerabilityTypes(t *testing.T) {
	for _, id := range []string{"image.vulnerabilities", "task.vulnerable-image"} {
		f := &engine.Finding{Rule: catalog.Default().Lookup(id), Status: rule.Failed, Severity: rule.Critical,
			Subject: &engine.Subject{Type: rule.TypeImage, ID: "arn:aws:ecr:us-east-1:111122223333:repository/web/sha256:abc"},
			Detail:  "2 CRITICAL: CVE-2024-0001"}
		got := build(t, f, Params{UpdatedAt: now})
		want := []string{TypeBestPractices, TypeCVE}
		if !reflect.DeepEqual(got.Types, want) || !reflect.DeepEqual(got.FindingProviderFields.Types, want) {
			t.Errorf("%s: Types %q, provider Types %q", id, got.Types, got.FindingProviderFields.Types)
		}
		if got.Severity.Label != types.SeverityLabelCritical {
			t.Errorf("%s: severity %s", id, got.Severity.Label)
		}
	}
}

const ecrJSON = `{
  "repositories": [{
    "repositoryArn": "arn:aws:ecr:us-east-1:111122223333:repository/team/web",
    "registryId": "111122223333", "repositoryName": "team/web",
    "repositoryUri": "111122223333.dkr.ecr.us-east-1.amazonaws.com/team/web",
    "imageTagMutability": "MUTABLE", "imageScanningConfiguration": {"scanOnPush": false},
    "lifecyclePolicyText": "{\"rules\":[]}",
    "policyText": "{\"Version\":\"2012-10-17\",\"Statement\":[]}",
    "tags": [{"Key": "team", "Value": "web"}]
  }],
  "imageDetails": [{
    "registryId": "111122223333", "repositoryName": "team/web",
    "imageDigest": "sha256:0123456789abcdef", "imageTags": ["1.2", "latest"],
    "imagePushedAt": "2026-10-30T10:00:00.5+00:00"
  }],
  "registryId": "111122223333",
  "scanningConfiguration": {"scanType": "BASIC", "rules": [{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}]}
}`

func TestECRResources(t *testing.T) {
	s := load.NewSet(load.Options{Strict: true, Region: "us-east-1"})
	if err := s.Add("ecr.json", []byte(ecrJSON)); err != nil {
		t.Fatal(err)
	}
	s.Link()
	if len(s.Repos) != 1 || len(s.Images) != 1 || len(s.Registries) != 1 {
		t.Fatalf("fixture: %d repos, %d images, %d registries", len(s.Repos), len(s.Images), len(s.Registries))
	}
	mk := func(r model.Resource) *engine.Finding {
		return &engine.Finding{Rule: &rule.Meta{ID: "x.rule"}, Status: rule.Failed, Severity: rule.Low, Subject: engine.NewSubject(r)}
	}
	tests := []struct {
		name     string
		res      model.Resource
		typ, id  string
		details  string
		tags     map[string]string
		resource string
	}{
		{
			name: "repository", res: s.Repos[0], typ: "AwsEcrRepository",
			id: "arn:aws:ecr:us-east-1:111122223333:repository/team/web",
			details: `{"AwsEcrRepository":{"Arn":"arn:aws:ecr:us-east-1:111122223333:repository/team/web",` +
				`"ImageScanningConfiguration":{"ScanOnPush":false},"ImageTagMutability":"MUTABLE",` +
				`"LifecyclePolicy":{"LifecyclePolicyText":"{\"rules\":[]}","RegistryId":"111122223333"},` +
				`"RepositoryName":"team/web","RepositoryPolicyText":"{\"Version\":\"2012-10-17\",\"Statement\":[]}"}}`,
			tags: map[string]string{"team": "web"},
		},
		{
			name: "image", res: s.Images[0], typ: "AwsEcrContainerImage",
			id: "arn:aws:ecr:us-east-1:111122223333:repository/team/web/sha256:0123456789abcdef",
			details: `{"AwsEcrContainerImage":{"ImageDigest":"sha256:0123456789abcdef","ImagePublishedAt":"2026-10-30T10:00:00.500Z",` +
				`"ImageTags":["1.2","latest"],"RegistryId":"111122223333","RepositoryName":"team/web"}}`,
		},
		{
			name: "registry", res: s.Registries[0], typ: "Other",
			id:      "arn:aws:ecr:us-east-1:111122223333:registry",
			details: `{"Other":{"RegistryId":"111122223333","ScanType":"BASIC","ScanningRules":"SCAN_ON_PUSH"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := build(t, mk(tt.res), Params{UpdatedAt: now})
			r := got.Resources[0]
			if show(r.Type) != tt.typ || show(r.Id) != tt.id || r.Partition != types.PartitionAws || show(r.Region) != "us-east-1" {
				t.Errorf("resource %s %s %s %s", show(r.Type), show(r.Id), r.Partition, show(r.Region))
			}
			if !reflect.DeepEqual(r.Tags, tt.tags) {
				t.Errorf("tags %v, want %v", r.Tags, tt.tags)
			}
			x, _ := plain(reflect.ValueOf(r.Details), false)
			b, _ := json.Marshal(x)
			if string(b) != tt.details {
				t.Errorf("details\n got %s\nwant %s", b, tt.details)
			}
			data, err := Marshal([]types.AwsSecurityFinding{got})
			if err != nil {
				t.Fatal(err)
			}
			checkMarshal(t, data)
		})
	}
}

func TestImageARNBuiltFromAccountAndRegion(t *testing.T) {
	img := &model.Image{}
	img.Detail.RepositoryName, img.Detail.ImageDigest = ptr("web"), ptr("sha256:feed")
	f := &engine.Finding{Rule: &rule.Meta{ID: "image.scan-missing"}, Status: rule.Failed, Severity: rule.Medium,
		Subject: engine.NewSubject(img)}
	got := build(t, f, Params{UpdatedAt: now, Account: "444455556666", Region: "us-gov-west-1"})
	r := got.Resources[0]
	if show(r.Id) != "arn:aws-us-gov:ecr:us-gov-west-1:444455556666:repository/web/sha256:feed" || r.Partition != types.PartitionAwsUsGov {
		t.Errorf("image resource %s in %s", show(r.Id), r.Partition)
	}
	if show(r.Details.AwsEcrContainerImage.RegistryId) != "444455556666" {
		t.Errorf("RegistryId %s", show(r.Details.AwsEcrContainerImage.RegistryId))
	}
}

func ptr(s string) *string { return &s }

func TestTagsWithinLimits(t *testing.T) {
	m := map[string]string{}
	for i := 0; i < 60; i++ {
		m["k"+string(rune('A'+i%26))+strings.Repeat("x", i)] = strings.Repeat("v", 300)
	}
	m[strings.Repeat("K", 129)] = "too long a key"
	got := tags(m)
	if len(got) != 50 {
		t.Errorf("%d tags, want 50", len(got))
	}
	for k, v := range got {
		if length(k) > 128 || length(v) > 256 {
			t.Errorf("tag %q has a %d-character value", k, length(v))
		}
	}
	// The kept tags are the same whatever the map order.
	if again := tags(m); !reflect.DeepEqual(again, got) {
		t.Error("tags are not stable")
	}
}

func TestFitDropsOversizedPolicy(t *testing.T) {
	r := &model.Repository{Repo: ecrtypes.Repository{RepositoryName: ptr("big")}, PolicyKnown: true, Policy: strings.Repeat("x", 300<<10)}
	r.ARN, r.Account, r.Region = "arn:aws:ecr:us-east-1:111122223333:repository/big", "111122223333", "us-east-1"
	f := &engine.Finding{Rule: &rule.Meta{ID: "repo.public-policy"}, Status: rule.Failed, Severity: rule.Critical,
		Subject: engine.NewSubject(r)}
	got := build(t, f, Params{UpdatedAt: now})
	if n := Size(got); n > MaxFindingSize {
		t.Fatalf("finding has %d bytes, over %d", n, MaxFindingSize)
	}
	d := got.Resources[0].Details
	if d == nil || d.AwsEcrRepository == nil || d.AwsEcrRepository.RepositoryPolicyText != nil || show(d.AwsEcrRepository.RepositoryName) != "big" {
		t.Errorf("details after fitting: %+v", d)
	}
	if got.ProductFields[FieldDetailsOmitted] == "" {
		t.Error("no note that details were omitted")
	}
	// A small policy stays.
	r.Policy = `{"Statement":[]}`
	if got := build(t, f, Params{UpdatedAt: now}); show(got.Resources[0].Details.AwsEcrRepository.RepositoryPolicyText) != r.Policy {
		t.Error("a small policy was dropped")
	}
}

// TestBuildRaisedFinding checks that a severity raised by the engine's context pass reaches Security Hub with its
// reason: FindingProviderFields.Severity carries the raised label, ProductFields says why.
func TestBuildRaisedFinding(t *testing.T) {
	fs := evaluate(t, load.Options{}, taskJSON)
	f := find(t, fs, "task.privileged-container", "app")
	f.Severity = rule.Critical
	f.Context = "severity raised from HIGH to CRITICAL: the container also runs as root and is privileged"
	got := build(t, f, Params{Version: "1.2.3", CreatedAt: created, UpdatedAt: now})
	if got.FindingProviderFields == nil || got.FindingProviderFields.Severity == nil ||
		got.FindingProviderFields.Severity.Label != types.SeverityLabelCritical {
		t.Errorf("FindingProviderFields = %+v, want severity CRITICAL", got.FindingProviderFields)
	}
	if got.ProductFields[FieldSeverityContext] != f.Context {
		t.Errorf("ProductFields[%s] = %q, want %q", FieldSeverityContext, got.ProductFields[FieldSeverityContext], f.Context)
	}
}

func TestResourceElsewhereImportedUnderTheCaller(t *testing.T) {
	fs := evaluate(t, load.Options{}, taskJSON)
	f := find(t, fs, "task.privileged-container", "app")
	got := build(t, f, Params{UpdatedAt: now, ImportAccount: "444455556666", ImportRegion: "us-east-1"})
	if show(got.ProductArn) != "arn:aws:securityhub:us-east-1:444455556666:product/444455556666/default" ||
		show(got.AwsAccountId) != "444455556666" || show(got.Region) != "us-east-1" {
		t.Errorf("ProductArn %s, AwsAccountId %s, Region %s: want the caller's", show(got.ProductArn),
			show(got.AwsAccountId), show(got.Region))
	}
	res := got.Resources[0]
	if show(res.Id) != "arn:aws:ecs:eu-west-1:111122223333:task-definition/web:3" || show(res.Region) != "eu-west-1" {
		t.Errorf("resource %s in %s: want the resource's own ARN and Region", show(res.Id), show(res.Region))
	}
}
