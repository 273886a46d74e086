package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/testenv/emulator"
)

// TestSweepCommandAuditsTheAccount runs `ecsaudit sweep` against the emulator with credentials and endpoint from the
// environment, as the default credential chain reads them.
func TestSweepCommandAuditsTheAccount(t *testing.T) {
	dir := t.TempDir()
	srv, err := emulator.Start(context.Background(), filepath.Join(dir, "moto.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	// The shim answers what moto lacks and the sweep calls (DescribeCapacityProviders without names).
	shim, err := emulator.NewShim(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(shim)
	t.Cleanup(hs.Close)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": hs.URL, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "none"),
	} {
		t.Setenv(k, v)
	}
	cfg := emulator.Config(hs.URL, "eu-west-1")
	ecsc := ecs.NewFromConfig(cfg)
	register := func(privileged bool) string {
		out, err := ecsc.RegisterTaskDefinition(context.Background(), &ecs.RegisterTaskDefinitionInput{
			Family: aws.String("web"),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx:1.27"),
				Memory: aws.Int32(256), Privileged: aws.Bool(privileged)}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	}
	first := register(false)
	latest := register(true)

	var stdout, stderr bytes.Buffer
	code := Run([]string{"sweep", "--region", "eu-west-1", "--format", "json", "--pace-share", "1"}, IO{Stdout: &stdout, Stderr: &stderr})
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d (findings at or above LOW); stderr: %s", code, ExitFindings, stderr.String())
	}
	var doc struct {
		Findings []struct {
			RuleID, Status, ResourceID string
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("json report: %v\n%s", err, stdout.String())
	}
	seen := map[string]bool{}
	for _, f := range doc.Findings {
		seen[f.ResourceID] = true
		if f.ResourceID == latest && f.RuleID == "task.privileged-container" && f.Status != "FAILED" {
			t.Errorf("privileged container: %s", f.Status)
		}
	}
	if !seen[latest] || seen[first] {
		t.Errorf("latest mode reports web:2 and not web:1: %v", seen)
	}
	if !seen["arn:aws:ecr:eu-west-1:123456789012:registry"] {
		t.Errorf("the registry is audited too: %v", seen)
	}

	stdout.Reset()
	if code := Run([]string{"sweep", "--region", "eu-west-1", "--mode", "all", "--format", "json", "--only-failed"}, IO{Stdout: &stdout, Stderr: &stderr}); code != ExitFindings {
		t.Fatalf("all mode: exit %d", code)
	}
	doc.Findings = nil
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	privileged := map[string]bool{}
	for _, f := range doc.Findings {
		if f.Status != "FAILED" {
			t.Errorf("--only-failed reported %s %s", f.Status, f.RuleID)
		}
		if f.RuleID == "task.privileged-container" {
			privileged[f.ResourceID] = true
		}
	}
	if !privileged[latest] || privileged[first] || !strings.Contains(stdout.String(), first) {
		t.Errorf("all mode audits both revisions, only web:2 is privileged: %v", privileged)
	}
}

func TestSweepCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"sweep", "--mode", "newest"},
		{"sweep", "--pace-share", "2"},
		{"sweep", "--format", "yaml"},
		{"sweep", "some/file.json"},
	} {
		var stdout, stderr bytes.Buffer
		if code := Run(args, IO{Stdout: &stdout, Stderr: &stderr}); code != ExitError || stderr.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr.String())
		}
	}
}
