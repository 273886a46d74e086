package ecr

import (
	"testing"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// imageDoc is describe-images output with one image holding the given JSON members (comma-terminated).
func imageDoc(fields string) string {
	return `{"imageDetails":[{` + fields + `"registryId":"111122223333","repositoryName":"team/app",` +
		`"imageDigest":"sha256:4a1c6567c38904384ebc64e35b7eeddd8451110c299e3368d2210066487d97e5","imageTags":["1.4.2"]}]}`
}

const (
	pushedRecently = `"imagePushedAt":"2026-11-01T11:40:00Z",`
	pushedLongAgo  = `"imagePushedAt":1572489492.0,`
)

func scanned(status string) string { return `"imageScanStatus":{"status":"` + status + `"},` }

const summaryHigh = `"imageScanFindingsSummary":{"imageScanCompletedAt":1572489494.0,"findingSeverityCounts":{"HIGH":9,"MEDIUM":18,"LOW":5}},`

func TestRoundAge(t *testing.T) {
	tests := map[time.Duration]string{
		45 * time.Second:              "45s",
		20 * time.Minute:              "20m",
		time.Hour:                     "1h",
		90 * time.Minute:              "1h30m",
		10*time.Hour + 20*time.Second: "10h",
		1000 * 24 * time.Hour:         "1000 days",
		47*time.Hour + 59*time.Minute: "47h59m",
	}
	for d, want := range tests {
		if got := roundAge(d); got != want {
			t.Errorf("roundAge(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestImageScanMissing(t *testing.T) {
	grace := func(d time.Duration) func(*rule.Settings) { return func(s *rule.Settings) { s.ScanGrace = d } }
	runCases(t, ImageScanMissing, []testCase{
		{name: "complete", docs: docs(imageDoc(pushedLongAgo + scanned("COMPLETE") + summaryHigh)), want: rule.Passed},
		{name: "enhanced, active", docs: docs(imageDoc(pushedLongAgo + scanned("ACTIVE") + summaryHigh)), want: rule.Passed},
		{name: "summary without a status", docs: docs(imageDoc(pushedLongAgo + summaryHigh)), want: rule.Passed},
		{name: "never scanned", docs: docs(imageDoc(pushedLongAgo)), want: rule.Failed, detail: "absent",
			path: "imageScanStatus/status"},
		{name: "never scanned, just pushed", docs: docs(imageDoc(pushedRecently)), want: rule.NotAvailable, detail: "20m ago"},
		{name: "pending within the grace window", docs: docs(imageDoc(pushedRecently + scanned("PENDING"))), want: rule.NotAvailable},
		{name: "in progress within the grace window", docs: docs(imageDoc(pushedRecently + scanned("IN_PROGRESS"))),
			want: rule.NotAvailable},
		{name: "in progress past a shorter window", docs: docs(imageDoc(pushedRecently + scanned("IN_PROGRESS"))),
			settings: grace(10 * time.Minute), want: rule.Failed, detail: "past the 10m grace window"},
		{name: "pending for years", docs: docs(imageDoc(pushedLongAgo + scanned("PENDING"))), want: rule.Failed},
		{name: "push time unknown", docs: docs(imageDoc(scanned("PENDING"))), want: rule.Failed, detail: "push time is unknown"},
		{name: "scan failed", docs: docs(imageDoc(pushedRecently + `"imageScanStatus":{"status":"FAILED","description":"scan error"},`)),
			want: rule.Failed, detail: "FAILED (scan error)"},
		{name: "unsupported image", docs: docs(imageDoc(pushedLongAgo + scanned("UNSUPPORTED_IMAGE"))), want: rule.Failed},
		{name: "enhanced monitoring expired", docs: docs(imageDoc(pushedLongAgo + scanned("SCAN_ELIGIBILITY_EXPIRED"))),
			want: rule.Failed},
		{name: "archived", docs: docs(imageDoc(pushedLongAgo + scanned("IMAGE_ARCHIVED"))), want: rule.NotApplicable},
	})
}
