package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// privilegedTask is a register-task-definition input that fails task.privileged-container.
func privilegedTask(family string) string {
	return `{"family": "` + family + `", "containerDefinitions": [{"name": "app", "image": "busybox:1", "privileged": true}]}`
}

const privilegedTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: from-yaml
      ContainerDefinitions:
        - Name: app
          Image: busybox:1
          Privileged: !Ref Privileged
Parameters:
  Privileged:
    Type: String
    Default: "true"
`

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, s := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func sources(rep jsonReport) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range rep.Findings {
		if !seen[f.Source] {
			seen[f.Source] = true
			out = append(out, f.Source)
		}
	}
	sort.Strings(out)
	return out
}

func TestWalkRepository(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{"secret-task.json": privilegedTask("outside")})
	writeTree(t, root, map[string]string{
		"deploy/task.json": privilegedTask("web"),
		"deploy/services.json": `{"services": [{"serviceName": "web", "serviceArn": "arn:aws:ecs:us-east-1:111122223333:service/prod/web",
			"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "ENABLED"}}}]}`,
		"deploy/stack.yaml":                    privilegedTemplate,
		"deploy/stack.template":                strings.Replace(privilegedTemplate, "from-yaml", "from-template", 1),
		"package.json":                         `{"name": "app", "version": "1.0.0"}`,
		"tsconfig.json":                        `{"compilerOptions": {"strict": true}}`,
		".github/workflows/ci.yml":             "on: push\njobs: {}\n",
		"events/register.json":                 `{"version": "0", "detail-type": "AWS API Call via CloudTrail", "detail": {"requestParameters": {"containerDefinitions": []}}}`,
		"node_modules/lib/task.json":           privilegedTask("vendored"),
		".terraform/modules/x/task.json":       privilegedTask("module-cache"),
		"infra/cdk.out/asset.abc123/task.json": privilegedTask("asset-copy"),
		"infra/cdk.out/Stack.template.json":    `{"Resources": {"T": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"Family": "cdk", "ContainerDefinitions": [{"Name": "app", "Image": "busybox:1", "Privileged": true}]}}}}`,
		"fixtures/broken/task.json":            `{"family": "x", "containerDefinitions": [`,
		"fixtures/ok/task.json":                privilegedTask("fixture"),
		"generated/task.gen.json":              privilegedTask("generated"),
		"notes.txt":                            "containerDefinitions",
		"deploy/README.md":                     "# deploy\n",
	})
	if err := os.Symlink(filepath.Join(outside, "secret-task.json"), filepath.Join(root, "deploy", "linked.json")); err != nil {
		t.Skip(err)
	}
	if err := os.Symlink(filepath.Join(root, "deploy", "task.json"), filepath.Join(root, "inside-link.json")); err != nil {
		t.Fatal(err)
	}

	r, rep := scanJSON(t, "--verbose", "--skip-dirs", "fixtures/broken", "--skip-files", "*.gen.json", root)
	if r.code != ExitFindings {
		t.Fatalf("exit %d, want 1 (findings, nothing unreadable):\n%s", r.code, r.stderr)
	}
	want := []string{
		filepath.Join(root, "deploy", "services.json"),
		filepath.Join(root, "deploy", "stack.template"),
		filepath.Join(root, "deploy", "stack.yaml"),
		filepath.Join(root, "deploy", "task.json"),
		filepath.Join(root, "fixtures", "ok", "task.json"),
		filepath.Join(root, "infra", "cdk.out", "Stack.template.json"),
		filepath.Join(root, "inside-link.json"),
	}
	if got := sources(rep); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("files read:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, skipped := range []string{
		filepath.Join(root, "node_modules"), filepath.Join(root, ".terraform"),
		filepath.Join(root, "infra", "cdk.out", "asset.abc123"), filepath.Join(root, "fixtures", "broken"),
		filepath.Join(root, "generated", "task.gen.json"), filepath.Join(root, "deploy", "linked.json") + ": symbolic link out of",
		filepath.Join(root, "package.json"), filepath.Join(root, "tsconfig.json"), filepath.Join(root, "events", "register.json"),
		filepath.Join(root, ".github", "workflows", "ci.yml"),
	} {
		if !strings.Contains(r.stderr, "skipped "+skipped) {
			t.Errorf("--verbose does not list %s as skipped:\n%s", skipped, r.stderr)
		}
	}
	if f := rep.find("task.privileged-container", "app"); f == nil {
		t.Error("no privileged finding")
	}
	if f := rep.find("service.public-ip", ""); f == nil || f.Status != "FAILED" {
		t.Errorf("the walked describe-services output was not judged: %+v", f)
	}
	// Without --verbose, what is skipped is not listed.
	if r := run(t, "scan", "--skip-dirs", "fixtures/broken", "--skip-files", "*.gen.json", root); strings.Contains(r.stderr, "skipped") || r.code != ExitFindings {
		t.Errorf("exit %d, stderr without --verbose:\n%s", r.code, r.stderr)
	}
	// The broken fixture not skipped: exit 2, named, the rest still scanned.
	r, rep = scanJSON(t, root)
	if r.code != ExitError || !strings.Contains(r.stderr, filepath.Join(root, "fixtures", "broken", "task.json")+": ") || len(sources(rep)) != 8 {
		t.Errorf("exit %d, %d files with findings, stderr:\n%s", r.code, len(sources(rep)), r.stderr)
	}
}

func TestConfigDiscovery(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"repo/.ecsaudit.yaml":   "# YAML, with a comment\nrules:\n  task.privileged-container:\n    disabled: true\nskipFiles:\n  - skipped.json\n",
		"repo/task.json":        privilegedTask("web"),
		"repo/skipped.json":     `{"family": "x", "containerDefinitions": [`,
		"other/task.json":       privilegedTask("other"),
		"json/.ecsaudit.yaml":   `{"rules": {"task.privileged-container": {"severity": "LOW"}}}`,
		"json/task.json":        privilegedTask("json"),
		"typo/.ecsaudit.yaml":   "trustedRegistry:\n  - example.com\nrules: {}\nsupressions: []\n",
		"typo/task.json":        privilegedTask("typo"),
		"two/.ecsaudit.yaml":    "rules: {}\n",
		"two/.ecsaudit.json":    "{}",
		"two/task.json":         privilegedTask("two"),
		"nested/sub/task.json":  privilegedTask("nested"),
		"nested/.ecsaudit.yaml": "rules:\n  task.privileged-container:\n    disabled: true\n",
	})
	privileged := func(rep jsonReport) string {
		if f := rep.find("task.privileged-container", "app"); f != nil {
			return f.Severity
		}
		return "none"
	}
	// The directory argument's file: YAML, rules applied, its skipFiles honoured.
	r, rep := scanJSON(t, filepath.Join(root, "repo"))
	if r.code != ExitFindings || privileged(rep) != "none" {
		t.Errorf("repo/: exit %d, privileged %s; want the rule disabled and skipped.json skipped:\n%s", r.code, privileged(rep), r.stderr)
	}
	// A file argument: its own directory's file.
	if _, rep := scanJSON(t, filepath.Join(root, "repo", "task.json")); privileged(rep) != "none" {
		t.Errorf("repo/task.json: privileged %s, want the rule disabled by repo/.ecsaudit.yaml", privileged(rep))
	}
	// JSON content under the YAML name.
	if _, rep := scanJSON(t, filepath.Join(root, "json")); privileged(rep) != "LOW" {
		t.Errorf("json/: privileged %s, want LOW", privileged(rep))
	}
	// Not the working directory's, nor a parent's.
	wd, _ := os.Getwd()
	if err := os.Chdir(filepath.Join(root, "repo")); err != nil {
		t.Fatal(err)
	}
	_, rep = scanJSON(t, filepath.Join(root, "other"))
	_, repNested := scanJSON(t, filepath.Join(root, "nested", "sub"))
	if err := os.Chdir(wd); err != nil {
		t.Fatal(err)
	}
	if privileged(rep) == "none" || privileged(repNested) == "none" {
		t.Errorf("other/: %s, nested/sub/: %s; want the rule enabled (no configuration read from the working directory or a parent)", privileged(rep), privileged(repNested))
	}
	// Unknown keys are named, with the key meant.
	r = run(t, "scan", filepath.Join(root, "typo"))
	if r.code != ExitError || !strings.Contains(r.stderr, `unknown key "trustedRegistry" (did you mean "trustedRegistries"?)`) ||
		!strings.Contains(r.stderr, `unknown key "supressions" (did you mean "suppressions"?)`) || !strings.Contains(r.stderr, "line 1") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	// Two files in one directory: which one is meant is not guessed.
	if r := run(t, "scan", filepath.Join(root, "two")); r.code != ExitError || !strings.Contains(r.stderr, "keep one configuration file") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	// Arguments that find different files.
	if r := run(t, "scan", filepath.Join(root, "repo"), filepath.Join(root, "json")); r.code != ExitError || !strings.Contains(r.stderr, "different configuration files") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	// --config still wins, in YAML too.
	if _, rep := scanJSON(t, "--config", filepath.Join(root, "json", ".ecsaudit.yaml"), filepath.Join(root, "repo")); privileged(rep) != "LOW" {
		t.Errorf("--config: privileged %s, want LOW", privileged(rep))
	}
}

// TestConfigKeysAreConfigs checks configKeys against internal/config: each key the scan passes on is one it accepts.
func TestConfigKeysAreConfigs(t *testing.T) {
	dir := t.TempDir()
	for _, k := range configKeys {
		if k == "skipDirs" || k == "skipFiles" {
			continue
		}
		doc, _ := json.Marshal(map[string]any{k: nil})
		writeTree(t, dir, map[string]string{".ecsaudit.yaml": string(doc), "task.json": privilegedTask("x")})
		if r := run(t, "scan", dir); strings.Contains(r.stderr, "unknown") {
			t.Errorf("key %s: %s", k, r.stderr)
		}
	}
}

func TestIdentityAcrossFiles(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"staging/web.json": privilegedTask("web"),
		"prod/web.json":    privilegedTask("web"),
		"prod/stack.yaml":  strings.Replace(privilegedTemplate, "from-yaml", "web", 1),
	})
	ids := func(format string) []string {
		r := run(t, "scan", "--format", format, "--account", "111122223333", "--region", "us-east-1", root)
		if r.code != ExitFindings {
			t.Fatalf("%s: exit %d:\n%s", format, r.code, r.stderr)
		}
		var out []string
		switch format {
		case "json":
			var rep jsonReport
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Summary.Resources != 3 {
				t.Errorf("%d resources, want 3: the same family in three files is three resources", rep.Summary.Resources)
			}
			for _, f := range rep.Findings {
				if f.RuleID == "task.privileged-container" {
					out = append(out, f.ID)
				}
			}
		case "asff":
			var fs []struct{ Id, GeneratorId string }
			if err := json.Unmarshal([]byte(r.stdout), &fs); err != nil {
				var wrapped struct {
					Findings []struct{ Id, GeneratorId string }
				}
				if err := json.Unmarshal([]byte(r.stdout), &wrapped); err != nil {
					t.Fatalf("ASFF output: %v", err)
				}
				fs = wrapped.Findings
			}
			for _, f := range fs {
				if f.GeneratorId == "task.privileged-container" {
					out = append(out, f.Id)
				}
			}
		case "sarif":
			var log struct {
				Runs []struct {
					Results []struct {
						RuleID              string            `json:"ruleId"`
						PartialFingerprints map[string]string `json:"partialFingerprints"`
					}
				}
			}
			if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
				t.Fatal(err)
			}
			for _, res := range log.Runs[0].Results {
				if res.RuleID == "task.privileged-container" {
					out = append(out, res.PartialFingerprints["ecsauditFindingId/v1"])
				}
			}
		}
		sort.Strings(out)
		return out
	}
	for _, format := range []string{"json", "asff", "sarif"} {
		first := ids(format)
		if len(first) != 3 {
			t.Errorf("%s: %d privileged findings, want 3: %v", format, len(first), first)
			continue
		}
		seen := map[string]bool{}
		for _, id := range first {
			if seen[id] {
				t.Errorf("%s: identity %s repeated across files", format, id)
			}
			seen[id] = true
			if !strings.Contains(id, "staging/web.json") && !strings.Contains(id, "prod/web.json") && !strings.Contains(id, "prod/stack.yaml") {
				t.Errorf("%s: identity %s does not name its file", format, id)
			}
		}
		if again := ids(format); strings.Join(again, " ") != strings.Join(first, " ") {
			t.Errorf("%s: identities changed between runs:\n%v\n%v", format, first, again)
		}
	}
}

// TestScopeIsRelative checks that a checkout scanned by absolute path or from its root gives the same identities.
func TestScopeIsRelative(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ in, want string }{
		{filepath.Join(wd, "testdata", "hardened.json"), "testdata/hardened.json"},
		{filepath.Join("testdata", ".", "hardened.json"), "testdata/hardened.json"},
		{"./testdata/hardened.json", "testdata/hardened.json"},
		{filepath.Join(filepath.Dir(wd), "x.json"), filepath.ToSlash(filepath.Join(filepath.Dir(wd), "x.json"))},
		{"", ""},
	} {
		if got := scopeOf(c.in); got != c.want {
			t.Errorf("scopeOf(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestScanRepositoryRoot scans this repository as a user would: its .ecsaudit.yaml skips the deliberately broken
// fixtures, so every other file it recognises is read and the exit status is 0 or 1, never 2.
func TestScanRepositoryRoot(t *testing.T) {
	if testing.Short() {
		t.Skip("scans the whole repository")
	}
	root := filepath.Join("..", "..")
	r := run(t, "scan", "--only-failed", root)
	if r.code == ExitError {
		t.Fatalf("exit 2 scanning the repository:\n%s", r.stderr)
	}
	if r.stderr != "" {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	// The templates, CDK output and plan of testdata/iac are among what was read.
	for _, want := range []string{"service.yaml", "AppStack.template.json", "plan.json"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the report names no resource from %s", want)
		}
	}
}

// TestTemplateLocations checks where a template's findings point: the text report's resource line, SARIF's property
// line in YAML.
func TestTemplateLocations(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"stack.yaml": privilegedTemplate})
	p := filepath.Join(dir, "stack.yaml")
	if r := run(t, "scan", p); !strings.Contains(r.stdout, "Task (AwsEcsTaskDefinition, "+p+":3)") {
		t.Errorf("the text report does not name the logical ID, file and line:\n%s", r.stdout)
	}
	r := run(t, "scan", "--format", "sarif", p)
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						Region struct{ StartLine int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, res := range log.Runs[0].Results {
		if res.RuleID == "task.privileged-container" {
			found = true
			if got := res.Locations[0].PhysicalLocation.Region.StartLine; got != 10 {
				t.Errorf("privileged at line %d, want 10 (the Privileged property)", got)
			}
		}
	}
	if !found {
		t.Error("no privileged result")
	}
}

func TestConfigGlobsRelativeToTheirFile(t *testing.T) {
	for _, c := range []struct {
		cfg  string
		args []string
		glob string
		want []string
	}{
		{"repo/.ecsaudit.yaml", []string{"repo"}, "fixtures/broken", []string{"fixtures/broken"}},
		{"repo/.ecsaudit.yaml", []string{"repo"}, "*.gen.json", []string{"*.gen.json"}},
		{"repo/.ecsaudit.yaml", []string{"repo/sub"}, "sub/fixtures/**", []string{"fixtures/**"}},
		{"repo/.ecsaudit.yaml", []string{"repo/sub"}, "other/fixtures", nil},
		{"repo/sub/.ecsaudit.yaml", []string{"repo"}, "fixtures", []string{"fixtures"}},
		{"repo/sub/.ecsaudit.yaml", []string{"repo"}, "x/fixtures", []string{"sub/x/fixtures"}},
	} {
		got := relGlobs(filepath.FromSlash(c.cfg), c.args, []string{c.glob})
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s, args %v, %s: %v, want %v", c.cfg, c.args, c.glob, got, c.want)
		}
	}
}

// TestTemplateSuppressions checks both ways of waiving a finding of a template's resource: its ecsaudit:suppress tag,
// and a configuration entry naming its logical ID.
func TestTemplateSuppressions(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"t.yaml": "Resources:\n  TaskDef:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Tags:\n        - Key: ecsaudit:suppress\n" +
			"          Value: task.privileged-container@app\n      ContainerDefinitions:\n        - Name: app\n          Image: busybox:1\n          Privileged: true\n",
		".ecsaudit.yaml": "suppressions:\n  - resource: TaskDef\n    rule: task.root-user\n    reason: the image runs as nobody\n",
	})
	_, rep := scanJSON(t, dir)
	for _, id := range []string{"task.privileged-container", "task.root-user"} {
		if f := rep.find(id, "app"); f == nil || f.Status != "SUPPRESSED" {
			t.Errorf("%s: %+v, want SUPPRESSED", id, f)
		}
	}
}
