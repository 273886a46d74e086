package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// servicesJSON is a describe-services output: web runs web:3 with public IP addresses.
const servicesJSON = `{"services": [{
  "serviceArn": "arn:aws:ecs:us-east-1:111122223333:service/prod/web",
  "serviceName": "web",
  "clusterArn": "arn:aws:ecs:us-east-1:111122223333:cluster/prod",
  "status": "ACTIVE", "desiredCount": 2, "launchType": "FARGATE",
  "taskDefinition": "arn:aws:ecs:us-east-1:111122223333:task-definition/web:3",
  "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "ENABLED"}}
}], "failures": []}`

// Services given beside task definitions are their running context: the revision a public service runs rises, the
// one nothing runs is lowered, and without services nothing moves.
func TestScanServicesBesideTaskDefinitions(t *testing.T) {
	dir := t.TempDir()
	variant(t, dir, "web3.json", privileged)
	variant(t, dir, "web4.json", func(doc, td map[string]any) {
		privileged(doc, td)
		td["taskDefinitionArn"] = "arn:aws:ecs:us-east-1:111122223333:task-definition/web:4"
		td["revision"] = 4
	})
	alone := t.TempDir()
	variant(t, alone, "web3.json", privileged)
	svc := filepath.Join(t.TempDir(), "services.json")
	if err := os.WriteFile(svc, []byte(servicesJSON), 0o644); err != nil {
		t.Fatal(err)
	}

	_, rep := scanJSON(t, dir, svc)
	var web3, web4 *jsonFinding
	for i, f := range rep.Findings {
		if f.RuleID == "task.privileged-container" && f.Container == "monitor" {
			switch {
			case strings.HasSuffix(f.ResourceID, "web:3"):
				web3 = &rep.Findings[i]
			case strings.HasSuffix(f.ResourceID, "web:4"):
				web4 = &rep.Findings[i]
			}
		}
	}
	if web3 == nil || web4 == nil {
		t.Fatalf("privileged findings: web:3 %v, web:4 %v", web3, web4)
	}
	if web3.Severity != "CRITICAL" || !strings.Contains(web3.Detail, "runs in service web of cluster prod with a public IP") ||
		!strings.Contains(web3.Detail, "severity raised from HIGH to CRITICAL") {
		t.Errorf("web:3, run by a public service: %s %q", web3.Severity, web3.Detail)
	}
	if web4.Severity != "MEDIUM" || !strings.Contains(web4.Detail, "severity lowered from HIGH to MEDIUM: "+model.NothingRuns) {
		t.Errorf("web:4, run by nothing: %s %q", web4.Severity, web4.Detail)
	}

	_, rep = scanJSON(t, alone)
	f := rep.find("task.privileged-container", "monitor")
	if f == nil || f.Severity != "HIGH" || strings.Contains(f.Detail, "runs") || strings.Contains(f.Detail, "lowered") {
		t.Errorf("without services: %+v, want HIGH with no running context", f)
	}

	r := run(t, "scan", "--format", "asff", dir, svc)
	for _, want := range []string{`"Type": "AwsEcsService"`, `"Criticality": 70`, `"Criticality": 0`, `"ecsaudit/RunningContext"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("ASFF output lacks %s", want)
		}
	}
}

// TestTemplateServicesGiveNoRunningContext: a template's service names its task definition by Ref, which the file does
// not resolve: it must neither lower the findings of the template's task definitions (as if nothing ran them) nor
// raise them.
func TestTemplateServicesGiveNoRunningContext(t *testing.T) {
	_, rep := scanJSON(t, filepath.Join("testdata", "template-service.yaml"))
	n := 0
	for _, f := range rep.Findings {
		if f.RuleID != "task.privileged-container" {
			continue
		}
		n++
		if f.Severity != "CRITICAL" || strings.Contains(f.Detail, "lowered") || strings.Contains(f.Detail, "runs in service") {
			t.Errorf("%s %s: %s %q; want CRITICAL from the container alone", f.ResourceID, f.RuleID, f.Severity, f.Detail)
		}
	}
	if n != 2 {
		t.Errorf("%d privileged findings, want one per task definition", n)
	}
}
