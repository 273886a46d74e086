package taskdef

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/testenv/ruletest"
)

const (
	ecrWeb    = "111122223333.dkr.ecr.us-east-1.amazonaws.com/web"
	webDigest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
)

// webTask is a task definition with one container using image ref.
func webTask(ref string) string {
	return `{"family":"web","containerDefinitions":[{"name":"web","image":"` + ref + `"}]}`
}

// webImage is describe-images output for web:1.4.2 with the given scan status and summary (JSON fragments; "" omits).
func webImage(status, summary string) string {
	d := `{"registryId":"111122223333","repositoryName":"web","imageDigest":"` + webDigest + `","imageTags":["1.4.2"]`
	if status != "" {
		d += `,"imageScanStatus":{"status":"` + status + `","description":"from the test"}`
	}
	if summary != "" {
		d += `,"imageScanFindingsSummary":` + summary
	}
	return `{"imageDetails":[` + d + `}]}`
}

func TestVulnerableImage(t *testing.T) {
	const counts = `{"imageScanCompletedAt":1572489494,"findingSeverityCounts":{"HIGH":9,"LOW":5,"MEDIUM":18}}`
	critical := rule.DefaultSettings()
	critical.VulnerabilityThreshold = rule.Critical
	medium := rule.DefaultSettings()
	medium.VulnerabilityThreshold = rule.Medium
	findings := `{"imageId":{"imageDigest":"` + webDigest + `"},"imageScanFindings":{"findings":[
		{"name":"CVE-2024-0003","severity":"MEDIUM"},{"name":"CVE-2024-0001","severity":"HIGH"},
		{"name":"CVE-2024-0002","severity":"CRITICAL"},{"name":"CVE-2024-0001","severity":"HIGH"}]}}`
	failed := func(sev rule.Severity) map[string]expected {
		return map[string]expected{"web": {status: rule.Failed, severity: sev, path: "containerDefinitions/0/image"}}
	}
	status := func(s rule.Status) map[string]expected { return map[string]expected{"web": {status: s}} }
	runResultCases(t, VulnerableImage, []resultCase{
		{name: "high findings", docs: docsOf(webTask(ecrWeb+":1.4.2"), webImage("COMPLETE", counts)), want: failed(rule.High)},
		{name: "critical is the highest", docs: docsOf(webTask(ecrWeb+":1.4.2"),
			webImage("COMPLETE", `{"findingSeverityCounts":{"CRITICAL":1,"HIGH":2}}`)), want: failed(rule.Critical)},
		{name: "enhanced scanning ACTIVE", docs: docsOf(webTask(ecrWeb+":1.4.2"),
			webImage("ACTIVE", `{"findingSeverityCounts":{"CRITICAL":1}}`)), want: failed(rule.Critical)},
		{name: "by digest", docs: docsOf(webTask(ecrWeb+"@"+webDigest), webImage("COMPLETE", counts)), want: failed(rule.High)},
		{name: "medium under default threshold", docs: docsOf(webTask(ecrWeb+":1.4.2"),
			webImage("COMPLETE", `{"findingSeverityCounts":{"MEDIUM":3,"LOW":1,"UNDEFINED":4}}`)), want: status(rule.Passed)},
		{name: "medium at a medium threshold", settings: medium, docs: docsOf(webTask(ecrWeb+":1.4.2"),
			webImage("COMPLETE", `{"findingSeverityCounts":{"MEDIUM":3,"LOW":1}}`)), want: failed(rule.Medium)},
		{name: "high under a critical threshold", settings: critical, docs: docsOf(webTask(ecrWeb+":1.4.2"),
			webImage("COMPLETE", counts)), want: status(rule.Passed)},
		{name: "undefined never fails", settings: medium, docs: docsOf(webTask(ecrWeb+":1.4.2"),
			webImage("COMPLETE", `{"findingSeverityCounts":{"UNDEFINED":40,"INFORMATIONAL":2}}`)), want: status(rule.Passed)},
		{name: "completed scan without counts found nothing", docs: docsOf(webTask(ecrWeb+":1.4.2"),
			webImage("COMPLETE", `{"imageScanCompletedAt":1572489494}`)), want: status(rule.Passed)},
		{name: "completed scan with empty counts", docs: docsOf(webTask(ecrWeb+":1.4.2"),
			webImage("COMPLETE", `{"findingSeverityCounts":{}}`)), want: status(rule.Passed)},
		{name: "complete status without a summary", docs: docsOf(webTask(ecrWeb+":1.4.2"), webImage("COMPLETE", "")), want: status(rule.NotAvailable)},
		{name: "scan in progress", docs: docsOf(webTask(ecrWeb+":1.4.2"), webImage("IN_PROGRESS", "")), want: status(rule.NotAvailable)},
		{name: "scan failed", docs: docsOf(webTask(ecrWeb+":1.4.2"), webImage("FAILED", "")), want: status(rule.NotAvailable)},
		{name: "unsupported image", docs: docsOf(webTask(ecrWeb+":1.4.2"), webImage("UNSUPPORTED_IMAGE", "")), want: status(rule.NotAvailable)},
		{name: "never scanned", docs: docsOf(webTask(ecrWeb+":1.4.2"), webImage("", "")), want: status(rule.NotAvailable)},
		{name: "tag not in describe-images", docs: docsOf(webTask(ecrWeb+":2.0.0"), webImage("COMPLETE", counts)), want: status(rule.NotAvailable)},
		{name: "not looked up", docs: docsOf(webTask(ecrWeb + ":1.4.2")), want: status(rule.NotAvailable)},
		{name: "Docker Hub", docs: docsOf(webTask("nginx:1.27"), webImage("COMPLETE", counts)), want: status(rule.NotApplicable)},
		{name: "ECR Public", docs: docsOf(webTask("public.ecr.aws/nginx/nginx:1.27"), webImage("COMPLETE", counts)), want: status(rule.NotApplicable)},
		{name: "no image", docs: docsOf(`{"family":"web","containerDefinitions":[{"name":"web"}]}`), want: status(rule.NotAvailable)},
		{name: "top findings", docs: docsOf(webTask(ecrWeb+":1.4.2"), webImage("COMPLETE", counts), findings), want: failed(rule.High)},
	})
}

func TestVulnerableImageDetail(t *testing.T) {
	findings := `{"imageId":{"imageDigest":"` + webDigest + `"},"imageScanFindings":{"findings":[
		{"name":"CVE-2024-0003","severity":"MEDIUM"},{"name":"CVE-2024-0001","severity":"HIGH"},
		{"name":"CVE-2024-0002","severity":"CRITICAL"},{"name":"CVE-2024-0001","severity":"HIGH"}]}}`
	rs := ruletest.Check(t, VulnerableImage, nil, webTask(ecrWeb+":1.4.2"),
		webImage("COMPLETE", `{"findingSeverityCounts":{"HIGH":2,"CRITICAL":1,"MEDIUM":1}}`), findings)
	d := rs[0].Detail
	for _, s := range []string{"1 CRITICAL, 2 HIGH, 1 MEDIUM", "top findings: CVE-2024-0002 (CRITICAL), CVE-2024-0001 (HIGH)", webDigest} {
		if !strings.Contains(d, s) {
			t.Errorf("detail %q should contain %q", d, s)
		}
	}
	if strings.Contains(d, "CVE-2024-0003") || strings.Count(d, "CVE-2024-0001") != 1 {
		t.Errorf("top findings should hold each finding at or above the threshold once: %q", d)
	}

	rs = ruletest.Check(t, VulnerableImage, nil, webTask(ecrWeb+":1.4.2"), webImage("FAILED", ""))
	if !strings.Contains(rs[0].Detail, "status FAILED (from the test)") {
		t.Errorf("a missing scan should say why: %q", rs[0].Detail)
	}
	rs = ruletest.Check(t, VulnerableImage, nil, webTask(ecrWeb+":2.0.0"), webImage("COMPLETE", `{}`))
	if !strings.Contains(rs[0].Detail, "could not be read") || !strings.Contains(rs[0].Detail, "has no image 2.0.0") {
		t.Errorf("a failed lookup should carry its error: %q", rs[0].Detail)
	}
}

func TestVulnerableImageMeta(t *testing.T) {
	if !VulnerableImage.SeverityAsFound || VulnerableImage.Severity != rule.High {
		t.Errorf("task.vulnerable-image reports the severity as found, default HIGH: %+v", VulnerableImage.Meta)
	}
}
