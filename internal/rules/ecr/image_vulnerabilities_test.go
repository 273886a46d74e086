package ecr

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// scanFindings is describe-image-scan-findings output for the image of imageDoc.
const scanFindings = `{"registryId":"111122223333","repositoryName":"team/app",` +
	`"imageId":{"imageDigest":"sha256:4a1c6567c38904384ebc64e35b7eeddd8451110c299e3368d2210066487d97e5"},` +
	`"imageScanStatus":{"status":"COMPLETE"},"imageScanFindings":{"findings":[` +
	`{"name":"CVE-2019-0001","severity":"MEDIUM"},{"name":"CVE-2021-0002","severity":"HIGH"},` +
	`{"name":"CVE-2022-0003","severity":"CRITICAL"},{"name":"CVE-2021-0002","severity":"HIGH"}],` +
	`"enhancedFindings":[{"packageVulnerabilityDetails":{"vulnerabilityId":"CVE-2023-0004"},"severity":"HIGH"}]}}`

func TestImageVulnerabilities(t *testing.T) {
	counts := func(c string) string {
		return `"imageScanFindingsSummary":{"imageScanCompletedAt":1572489494.0,"findingSeverityCounts":{` + c + `}},`
	}
	threshold := func(s rule.Severity) func(*rule.Settings) {
		return func(set *rule.Settings) { set.VulnerabilityThreshold = s }
	}
	runCases(t, ImageVulnerabilities, []testCase{
		{name: "high findings", docs: docs(imageDoc(pushedLongAgo + scanned("COMPLETE") + counts(`"HIGH":9,"MEDIUM":18,"LOW":5`))),
			want: rule.Failed, severity: rule.High, detail: "9 findings at or above HIGH (9 HIGH, 18 MEDIUM, 5 LOW)",
			path: "imageScanFindingsSummary/findingSeverityCounts"},
		{name: "critical is the severity as found", docs: docs(imageDoc(pushedLongAgo+scanned("ACTIVE")+counts(`"CRITICAL":1,"HIGH":2`)), scanFindings),
			want: rule.Failed, severity: rule.Critical,
			detail: "3 findings at or above HIGH (1 CRITICAL, 2 HIGH); top: CVE-2022-0003, CVE-2021-0002, CVE-2023-0004"},
		{name: "findings named when known, otherwise a hint", docs: docs(imageDoc(pushedLongAgo + scanned("COMPLETE") + counts(`"CRITICAL":1`))),
			want: rule.Failed, detail: "describe-image-scan-findings"},
		{name: "below the threshold", docs: docs(imageDoc(pushedLongAgo + scanned("COMPLETE") + counts(`"MEDIUM":18,"LOW":5,"UNDEFINED":2`))),
			want: rule.Passed, detail: "18 MEDIUM, 5 LOW, 2 UNDEFINED"},
		{name: "lower threshold", docs: docs(imageDoc(pushedLongAgo + scanned("COMPLETE") + counts(`"MEDIUM":18,"LOW":5`))),
			settings: threshold(rule.Medium), want: rule.Failed, severity: rule.Medium},
		{name: "higher threshold", docs: docs(imageDoc(pushedLongAgo + scanned("COMPLETE") + counts(`"HIGH":9`))),
			settings: threshold(rule.Critical), want: rule.Passed},
		{name: "clean scan", docs: docs(imageDoc(pushedLongAgo + scanned("COMPLETE") + counts(""))), want: rule.Passed,
			detail: "no vulnerabilities"},
		{name: "complete without a summary", docs: docs(imageDoc(pushedLongAgo + scanned("COMPLETE"))), want: rule.NotAvailable,
			detail: "imageScanFindingsSummary"},
		{name: "no scan", docs: docs(imageDoc(pushedLongAgo)), want: rule.NotAvailable},
		{name: "scan pending", docs: docs(imageDoc(pushedRecently + scanned("PENDING"))), want: rule.NotAvailable},
		{name: "scan failed", docs: docs(imageDoc(pushedLongAgo + scanned("FAILED"))), want: rule.NotAvailable},
		{name: "archived", docs: docs(imageDoc(pushedLongAgo + scanned("IMAGE_ARCHIVED") + counts(`"HIGH":1`))),
			want: rule.NotApplicable},
	})
}
