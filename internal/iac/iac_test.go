package iac

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

var fixtures = filepath.Join("..", "..", "testdata", "iac")

func readFixture(t *testing.T, rel string, opts Options) []*Resource {
	t.Helper()
	p := filepath.Join(fixtures, rel)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Read(load.NewSet(load.Options{}), opts, p, data)
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return rs
}

// verdict is what a test expects of one finding: its status and words its detail holds.
type verdict struct {
	status rule.Status
	detail string
}

func judged(t *testing.T, rs []*Resource) map[string]engine.Finding {
	t.Helper()
	out := map[string]engine.Finding{}
	for _, f := range Judge(engine.New(catalog.Default(), config.Default()), rs, evalTime) {
		out[f.Subject.ID+" "+f.Rule.ID+" "+f.Container] = f
	}
	return out
}

func expect(t *testing.T, got map[string]engine.Finding, want map[string]verdict) {
	t.Helper()
	for k, w := range want {
		f, ok := got[k]
		if !ok {
			t.Errorf("%s: no finding", k)
			continue
		}
		if f.Status != w.status || !strings.Contains(f.Detail, w.detail) {
			t.Errorf("%s:\n got %s %q\nwant %s containing %q", k, f.Status, f.Detail, w.status, w.detail)
		}
	}
}

func TestTemplateIntrinsics(t *testing.T) {
	rs := readFixture(t, "cloudformation/service.yaml", Options{})
	if len(rs) != 2 {
		t.Fatalf("%d resources, want the repository and TaskDef (DebugTask's condition is false by default)", len(rs))
	}
	td := rs[1].Base.(*model.TaskDefinition)
	if td.ID() != "TaskDef" || td.Line != 43 || td.SourcePath != "Resources/TaskDef/Properties" {
		t.Errorf("TaskDef is named %q at line %d, path %q; want the logical ID, the line naming it, its Properties",
			td.ID(), td.Line, td.SourcePath)
	}
	for path, line := range map[string]int{
		"containerDefinitions/0/privileged": 59, "containerDefinitions/1/image": 75, "containerDefinitions/1/user": 77,
		"containerDefinitions/1/nosuchfield": 74, "networkMode": 47, "lifecyclePolicy": 0,
	} {
		if got := td.LineOf(path); got != line {
			t.Errorf("LineOf(%s) = %d, want %d", path, got, line)
		}
	}
	// !Join over a defaulted parameter, !FindInMap keyed by one, !If on a condition the defaults decide.
	if got := aws.ToString(td.Def.Family); got != "web-prod" {
		t.Errorf("family %q, want web-prod (!Join over the Env default)", got)
	}
	if got := aws.ToString(td.Def.Memory); got != "1024" {
		t.Errorf("memory %q, want 1024 (!FindInMap Sizes prod)", got)
	}
	c := td.Def.ContainerDefinitions[0]
	if c.ReadonlyRootFilesystem == nil || !*c.ReadonlyRootFilesystem {
		t.Errorf("readonlyRootFilesystem %v, want true (!If IsProd, decided by the Env default)", c.ReadonlyRootFilesystem)
	}
	if got := aws.ToString(c.Environment[1].Value); got != "prod" {
		t.Errorf("STAGE = %q, want prod (!Select 0)", got)
	}
	if got := c.LogConfiguration.Options["awslogs-group"]; got != "/ecs/web-prod" {
		t.Errorf("awslogs-group %q, want /ecs/web-prod (!Sub)", got)
	}
	expect(t, judged(t, rs), map[string]verdict{
		// Verbose depends on LogLevel, which has no default: both branches are judged, the worse stands.
		"TaskDef task.privileged-container app": {rule.Failed, "(when condition Verbose is true)"},
		// The image is an ECR repository of this template: trusted whatever its account and region, pinned by tag
		// to 1.4.2 either way; its scan cannot be known.
		"TaskDef task.untrusted-registry app": {rule.Passed, "the same verdict whatever value containerDefinitions/0/image takes"},
		"TaskDef task.vulnerable-image app":   {rule.NotAvailable, "known only at deployment"},
		// An imported image may be anything: never PASSED.
		"TaskDef task.untrusted-registry sidecar": {rule.NotAvailable, "Fn::ImportValue"},
		"TaskDef task.image-not-pinned sidecar":   {rule.NotAvailable, "Fn::ImportValue"},
		// A parameter without a default, passed in plain text: an empty value holds no credential, any other does.
		"TaskDef task.secrets-in-environment app": {rule.NotAvailable, "environment/0/value"},
		// The execution role is a role this template creates, the task role another stack's export: not the same.
		"TaskDef task.shared-task-execution-role ":  {rule.Passed, "whatever value taskRoleArn takes"},
		"TaskDef task.writable-root-filesystem app": {rule.Passed, ""},
		"Repo repo.mutable-tags ":                   {rule.Passed, ""},
		"Repo repo.no-lifecycle-policy ":            {rule.Failed, "no lifecycle policy"},
	})
}

func TestTemplateIntrinsicsWithAccountAndRegion(t *testing.T) {
	rs := readFixture(t, "cloudformation/service.yaml", Options{Account: "111122223333", Region: "eu-west-1"})
	c := rs[1].Base.(*model.TaskDefinition).Def.ContainerDefinitions[0]
	if got := c.LogConfiguration.Options["awslogs-region"]; got != "eu-west-1" {
		t.Errorf("awslogs-region %q, want --region's eu-west-1 for AWS::Region", got)
	}
}

func TestTemplateJSONRepositoryAndRegistry(t *testing.T) {
	rs := readFixture(t, "cloudformation/registry.json", Options{})
	if len(rs) != 2 {
		t.Fatalf("%d resources, want 2", len(rs))
	}
	repo := rs[1].Base.(*model.Repository)
	if repo.Name() != "shared" || !repo.PolicyKnown || !repo.LifecycleKnown || repo.Tags["team"] != "platform" {
		t.Errorf("repository %q policy known %v lifecycle known %v tags %v", repo.Name(), repo.PolicyKnown, repo.LifecycleKnown, repo.Tags)
	}
	if len(repo.Repo.ImageTagMutabilityExclusionFilters) != 1 || aws.ToString(repo.Repo.ImageTagMutabilityExclusionFilters[0].Filter) != "latest" {
		t.Errorf("exclusion filters %+v: CloudFormation's ImageTagMutabilityExclusionFilterValue is the API's filter", repo.Repo.ImageTagMutabilityExclusionFilters)
	}
	expect(t, judged(t, rs), map[string]verdict{
		"PublicRepo repo.public-policy ":       {rule.Failed, "AllowPull"},
		"PublicRepo repo.mutable-tags ":        {rule.Failed, "latest"},
		"PublicRepo repo.not-cmk-encrypted ":   {rule.Passed, ""},
		"PublicRepo repo.no-lifecycle-policy ": {rule.Passed, ""},
		"Scanning registry.basic-scanning ":    {rule.Failed, "BASIC"},
	})
}

func TestCDKOutput(t *testing.T) {
	rs := readFixture(t, "cdk/cdk.out/AppStack.template.json", Options{})
	if len(rs) != 1 {
		t.Fatalf("%d resources, want the task definition", len(rs))
	}
	expect(t, judged(t, rs), map[string]verdict{
		// Asset images are pushed to the bootstrap repository of whatever account and region: ECR either way.
		"TaskDef54694570 task.untrusted-registry web":        {rule.Passed, "whatever value containerDefinitions/0/image takes"},
		"TaskDef54694570 task.untrusted-registry log-router": {rule.Passed, "whatever value containerDefinitions/1/image takes"},
		"TaskDef54694570 task.vulnerable-image web":          {rule.NotAvailable, "Fn::Sub over AWS::AccountId"},
		"TaskDef54694570 task.vulnerable-image log-router":   {rule.NotAvailable, "Fn::Join over AWS::AccountId"},
		// Two different roles of the template.
		"TaskDef54694570 task.shared-task-execution-role ": {rule.Passed, ""},
		"TaskDef54694570 task.root-user log-router":        {rule.Failed, "sets no user"},
	})
}

func TestTerraformPlan(t *testing.T) {
	rs := readFixture(t, "terraform/plan.json", Options{})
	if len(rs) != 3 {
		t.Fatalf("%d resources, want the task definition, the repository and the registry (the deleted one and the IAM role left out)", len(rs))
	}
	td := rs[0].Base.(*model.TaskDefinition)
	if td.ID() != "aws_ecs_task_definition.api" || td.Line != 11 || td.Tags["team"] != "payments" {
		t.Errorf("task %q at line %d tags %v", td.ID(), td.Line, td.Tags)
	}
	if len(td.Def.Volumes) != 1 || td.Def.Volumes[0].Host != nil {
		t.Errorf("volumes %+v: an empty host_path is no host volume", td.Def.Volumes)
	}
	expect(t, judged(t, rs), map[string]verdict{
		"aws_ecs_task_definition.api task.secrets-in-environment api": {rule.Failed, "AWS_SECRET_ACCESS_KEY"},
		"aws_ecs_task_definition.api task.privileged-container api":   {rule.Passed, ""},
		"aws_ecs_task_definition.api task.image-not-pinned api":       {rule.Passed, ""},
		// Both roles are known only after apply.
		"aws_ecs_task_definition.api task.shared-task-execution-role ": {rule.NotAvailable, "known after apply"},
		"aws_ecr_repository.api repo.public-policy ":                   {rule.Failed, "ecr:*"},
		"aws_ecr_repository.api repo.mutable-tags ":                    {rule.Failed, "MUTABLE"},
		// The lifecycle policy's text is known only after apply: not known, so never PASSED.
		"aws_ecr_repository.api repo.no-lifecycle-policy ":                      {rule.NotAvailable, ""},
		"aws_ecr_registry_scanning_configuration.this registry.basic-scanning ": {rule.Passed, ""},
	})
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, data string
		want       Format
	}{
		{"package.json", `{"name": "web", "version": "1.0.0", "scripts": {"build": "tsc"}}`, None},
		{"Kubernetes manifest", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n", None},
		{"GitHub workflow", "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n", None},
		{"register input", `{"family": "x", "containerDefinitions": [{"name": "a", "image": "b"}]}`, None},
		{"YAML template without a version", "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n", CloudFormation},
		{"JSON template", `{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}`, CloudFormation},
		{"CDK template", `{"Resources": {"T": {"Type": "AWS::ECS::TaskDefinition"}}, "Parameters": {}}`, CloudFormation},
		{"Terraform plan", `{"format_version": "1.2", "resource_changes": []}`, Terraform},
		{"Terraform state", `{"format_version": "1.0", "values": {}}`, None},
		{"empty", "", None},
	}
	for _, tt := range tests {
		if got, _ := Detect([]byte(tt.data)); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, data string
		want       []string
	}{
		{"undefined Ref", "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n          Image: !Ref Nope\n",
			[]string{"line 7", `"Nope"`, "Resources/T"}},
		{"wrong type", `{"Resources": {"T": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [{"Name": "a", "Image": "b", "Privileged": "sometimes"}]}}}}`,
			[]string{"containerDefinitions/0/privileged", "want true or false", `"sometimes"`, "line 1, column 126"}},
		{"wrong type in YAML", "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n          Image: b\n          PortMappings:\n            - ContainerPort: eighty\n",
			[]string{"line 9, column 15", "containerDefinitions/0/portMappings/0/containerPort", "want a number", `"eighty"`}},
		{"no containers", "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Family: x\n",
			[]string{"line 2", "Resources/T", "containerDefinitions"}},
		{"undefined condition", "Resources:\n  T:\n    Type: AWS::ECR::Repository\n    Condition: Missing\n",
			[]string{"Resources/T", `"Missing"`}},
		{"bad Fn::Select", "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Family: !Select [3, [a, b]]\n      ContainerDefinitions: [{Name: a, Image: b}]\n",
			[]string{"line 5", "index 3"}},
		{"unknown network mode", "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      NetworkMode: bridged\n      ContainerDefinitions: [{Name: a, Image: b}]\n",
			[]string{"NetworkMode", `"bridged"`, "line 5, column 7"}},
		{"unknown log driver", "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n          Image: b\n          LogConfiguration:\n            LogDriver: syslog-ng\n",
			[]string{"LogDriver", `"syslog-ng"`, "line 9, column 13"}},
		{"broken YAML", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties: {Family: [x\n",
			[]string{"invalid YAML", "line"}},
		{"plan with container_definitions unknown", `{"format_version": "1.2", "resource_changes": [{"address": "aws_ecs_task_definition.x", "mode": "managed", "type": "aws_ecs_task_definition", "change": {"actions": ["create"], "after": {"family": "x"}, "after_unknown": {"container_definitions": true}}}]}`,
			[]string{"aws_ecs_task_definition.x", "known only after apply"}},
	}
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i, prev := 0, "a"; i < 8; i++ {
		name := string(rune('b' + i))
		bomb += name + ": &" + name + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
		prev = name
	}
	bomb += "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Family: x\n      Volumes: *i\n"
	tests = append(tests,
		struct {
			name, data string
			want       []string
		}{"alias bomb", bomb, []string{"expands to more than"}},
		struct {
			name, data string
			want       []string
		}{"condition referring to itself", "Conditions:\n  A: !And [!Condition B, !Condition B]\n  B: !Or [!Condition A, !Condition A]\nResources:\n  T:\n    Type: AWS::ECR::Repository\n    Condition: A\n",
			[]string{"refers to itself"}})
	for _, tt := range tests {
		_, err := Read(load.NewSet(load.Options{}), Options{}, "f", []byte(tt.data))
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "f: ") {
			t.Errorf("%s: %q does not name the file first", tt.name, err)
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", tt.name, err, w)
			}
		}
	}
}

func TestTerraformPolicyOfARepositoryElsewhere(t *testing.T) {
	plan := `{"format_version": "1.2", "resource_changes": [{"address": "aws_ecr_repository_policy.shared", "mode": "managed",
	  "type": "aws_ecr_repository_policy", "change": {"actions": ["update"], "after": {"repository": "shared",
	  "policy": "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"ecr:BatchGetImage\"}]}"}}}]}`
	rs, err := Read(load.NewSet(load.Options{}), Options{}, "plan.json", []byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("%d resources, want the repository the policy names", len(rs))
	}
	repo := rs[0].Base.(*model.Repository)
	if repo.Name() != "shared" || repo.Described || !repo.PolicyKnown || repo.LifecycleKnown || repo.TagsKnown {
		t.Errorf("repository %q described %v policy %v lifecycle %v tags %v: only the policy is known",
			repo.Name(), repo.Described, repo.PolicyKnown, repo.LifecycleKnown, repo.TagsKnown)
	}
	got := judged(t, rs)
	expect(t, got, map[string]verdict{
		"aws_ecr_repository_policy.shared repo.public-policy ": {rule.Failed, "ecr:BatchGetImage"},
	})
	for k, f := range got {
		if f.Status == rule.Passed && f.Rule.ID != "repo.public-policy" && !strings.Contains(f.Detail, "no required tag keys are configured") {
			t.Errorf("%s PASSED on a repository the plan does not describe: %s", k, f.Detail)
		}
	}
}

func TestBothBranchesJudged(t *testing.T) {
	tmpl := `Parameters:
  Mode: {Type: String}
Conditions:
  C: !Equals [!Ref Mode, strict]
Resources:
  T:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: t
      ContainerDefinitions:
        - Name: app
          Image: public.ecr.aws/docker/library/busybox:1.36
          Privileged: !If [C, !Ref AWS::NoValue, true]
          ReadonlyRootFilesystem: !If [C, false, true]
          User: !If [C, "1000", "1001"]
`
	rs, err := Read(load.NewSet(load.Options{}), Options{}, "t.yaml", []byte(tmpl))
	if err != nil {
		t.Fatal(err)
	}
	got := judged(t, rs)
	expect(t, got, map[string]verdict{
		"T task.privileged-container app":     {rule.Failed, "(when condition C is false)"},
		"T task.writable-root-filesystem app": {rule.Failed, "(when condition C is true)"},
		"T task.root-user app":                {rule.Passed, ""},
	})
	if d := got["T task.root-user app"].Detail; strings.Contains(d, "when condition") {
		t.Errorf("root-user passes on both branches, yet its detail names one: %q", d)
	}
}

// TestOpenValueDetailsRedacted checks that a credential pasted where a name belongs (a parameter's name) does not
// reach a finding's detail through the words that explain an open value.
func TestOpenValueDetailsRedacted(t *testing.T) {
	key := "AKIA" + "IOSFODNN7EXAMPLE"
	tmpl := "Parameters:\n  " + key + ": {Type: String}\nResources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n" +
		"    Properties:\n      ContainerDefinitions:\n        - Name: app\n          Image: !Ref " + key + "\n"
	rs, err := Read(load.NewSet(load.Options{}), Options{}, "t.yaml", []byte(tmpl))
	if err != nil {
		t.Fatal(err)
	}
	open := 0
	for _, f := range Judge(engine.New(catalog.Default(), config.Default()), rs, evalTime) {
		if strings.Contains(f.Detail, key) || strings.Contains(f.Detail, key[4:]) {
			t.Errorf("%s: detail quotes the key: %q", f.Rule.ID, f.Detail)
		}
		if strings.Contains(f.Detail, "containerDefinitions/0/image") {
			open++
		}
	}
	if open == 0 {
		t.Error("no finding explains the open image")
	}
}

func TestIsOtherYAML(t *testing.T) {
	for data, want := range map[string]bool{
		"services:\n  web:\n    image: nginx\n": true,
		"- a\n- b\n":                            true,
		`{"family": "x"}`:                       false,
		`[1, 2]`:                                false,
		`"taskDefinition"`:                      false,
		"plain words":                           false,
		"key: [unclosed\n":                      false,
	} {
		if got := IsOtherYAML([]byte(data)); got != want {
			t.Errorf("IsOtherYAML(%q) = %v, want %v", data, got, want)
		}
	}
}

// TestTerraformPlannedValues reads a plan that has only planned_values (as some tools trim it), resources in a child
// module included.
func TestTerraformPlannedValues(t *testing.T) {
	plan := `{"format_version": "1.2", "planned_values": {"root_module": {"resources": [], "child_modules": [{"address": "module.svc",
	  "resources": [{"address": "module.svc.aws_ecs_task_definition.this", "mode": "managed", "type": "aws_ecs_task_definition",
	  "values": {"family": "svc", "network_mode": "host", "container_definitions": "[{\"name\":\"app\",\"image\":\"nginx:1.27\",\"privileged\":true,\"memory\":256}]"}}]}]}}}`
	rs, err := Read(load.NewSet(load.Options{}), Options{}, "plan.json", []byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Base.ID() != "module.svc.aws_ecs_task_definition.this" {
		t.Fatalf("resources %v, want the module's task definition", rs)
	}
	expect(t, judged(t, rs), map[string]verdict{
		"module.svc.aws_ecs_task_definition.this task.privileged-container app": {rule.Failed, "privileged"},
		"module.svc.aws_ecs_task_definition.this task.host-network-mode ":       {rule.Failed, "host"},
		"module.svc.aws_ecs_task_definition.this task.memory-limit app":         {rule.Passed, "256"},
	})
}

// TestOpenEnumValues: an enumerated property given by a parameter without a default (tag mutability, EFS transit
// encryption) is judged on every value of its enumeration, never read as a crash.
func TestOpenEnumValues(t *testing.T) {
	tmpl := `Parameters:
  Mode: {Type: String}
  Transit: {Type: String}
Resources:
  Repo:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: web
      ImageTagMutability: !Ref Mode
  T:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: t
      Volumes:
        - Name: data
          EFSVolumeConfiguration: {FilesystemId: fs-1234, TransitEncryption: !Ref Transit}
      ContainerDefinitions:
        - Name: app
          Image: public.ecr.aws/docker/library/busybox:1.36
`
	rs, err := Read(load.NewSet(load.Options{}), Options{}, "t.yaml", []byte(tmpl))
	if err != nil {
		t.Fatal(err)
	}
	got := judged(t, rs)
	for _, k := range []string{"Repo repo.mutable-tags ", "T task.efs-transit-encryption "} {
		if v, ok := got[k]; !ok || v.Status != rule.NotAvailable || !strings.Contains(v.Detail, "(no default)") {
			t.Errorf("%s: %+v, want NOT_AVAILABLE naming the parameter without a default", k, v)
		}
	}
}

// TestEstateTypes: the ECS estate's CloudFormation and Terraform types are read into their kinds and judged by their
// rules; what the file declares is all there is (no tags means none, settings absent means the default).
func TestEstateTypes(t *testing.T) {
	for _, tt := range []struct {
		file string
		want map[string]verdict
	}{
		{"cloudformation/estate.yaml", map[string]verdict{
			"prod cluster.container-insights-disabled ":        {rule.Failed, "disabled"},
			"prod cluster.exec-logging-disabled ":              {rule.Failed, "NONE"},
			"prod cluster.untagged ":                           {rule.Failed, "no tags"},
			"Web service.public-ip ":                           {rule.Failed, "ENABLED"},
			"Web service.fargate-platform-outdated ":           {rule.Failed, "1.3.0"},
			"Web service.exec-enabled ":                        {rule.Failed, ""},
			"Web service.untagged ":                            {rule.Passed, ""},
			"Asg capacity-provider.no-termination-protection ": {rule.Failed, "DISABLED"},
		}},
		{"terraform/estate-plan.json", map[string]verdict{
			"prod cluster.container-insights-disabled ":        {rule.Passed, ""},
			"prod cluster.exec-logging-disabled ":              {rule.Passed, ""},
			"prod cluster.exec-not-cmk-encrypted ":             {rule.Passed, ""},
			"prod cluster.untagged ":                           {rule.Passed, ""},
			"web service.public-ip ":                           {rule.Failed, "ENABLED"},
			"web service.exec-enabled ":                        {rule.Passed, ""},
			"web service.fargate-platform-outdated ":           {rule.Passed, ""},
			"asg capacity-provider.no-termination-protection ": {rule.Passed, ""},
		}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "iac", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			rs, err := Read(load.NewSet(load.Options{}), Options{}, tt.file, data)
			if err != nil {
				t.Fatal(err)
			}
			expect(t, judged(t, rs), tt.want)
		})
	}
}
