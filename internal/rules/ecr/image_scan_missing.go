package ecr

import (
	"fmt"
	"strings"
	"time"

	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// ImageScanMissing fails an image that has no completed vulnerability scan.
var ImageScanMissing = registerImage(&ImageRule{
	Meta: rule.Meta{
		ID:    "image.scan-missing",
		Title: "Image has no completed vulnerability scan",
		Description: "An image that was never scanned, or whose scan failed or is unsupported, runs with unknown " +
			"vulnerabilities: no other check can tell whether it is safe.",
		Remediation: "Scan the image: `aws ecr start-image-scan --repository-name NAME --image-id imageDigest=DIGEST` " +
			"under basic scanning, or a registry scanning rule covering the repository under enhanced scanning. " +
			"UNSUPPORTED_IMAGE means the scanner does not know the image's operating system: rebuild it on a " +
			"supported base image.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html",
		Severity:       rule.Medium,
		Profile:        rule.Restricted,
		References: []string{
			"https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html",
			"https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageScanStatus.html",
		},
	},
	Check: func(img *model.Image, env *rule.Env) []rule.Result {
		const path = "imageScanStatus/status"
		st := scanStatus(img)
		switch {
		case scanCompleted(img):
			return pass("the latest scan completed: status " + statusText(img))
		case st == ecrtypes.ScanStatusImageArchived:
			return []rule.Result{{Status: rule.NotApplicable,
				Detail: "the image is archived: it cannot be pulled, and is scanned again once restored"}}
		case st == "" || st == ecrtypes.ScanStatusPending || st == ecrtypes.ScanStatusInProgress:
			pushed := img.PushedAt()
			if pushed.IsZero() {
				return fail("no completed scan (status "+statusText(img)+") and the push time is unknown, "+
					"so the grace window for a pending scan cannot apply", path)
			}
			age := env.Now.Sub(pushed)
			if age < env.Settings.ScanGrace {
				return notAvailable(fmt.Sprintf("no completed scan yet (status %s): pushed %s ago, within the %s "+
					"grace window for a scan to finish", statusText(img), roundAge(age), roundAge(env.Settings.ScanGrace)))
			}
			return fail(fmt.Sprintf("no completed scan (status %s) %s after the push, past the %s grace window",
				statusText(img), roundAge(age), roundAge(env.Settings.ScanGrace)), path)
		default:
			// FAILED, UNSUPPORTED_IMAGE, FINDINGS_UNAVAILABLE, LIMIT_EXCEEDED, SCAN_ELIGIBILITY_EXPIRED: no current scan.
			return fail("no completed scan: status "+statusText(img), path)
		}
	},
})

// roundAge writes a duration the way a person reads it in a detail: "45s", "20m", "1h30m", "1h", "915 days".
func roundAge(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	case d < time.Minute:
		return d.Round(time.Second).String()
	}
	s := strings.TrimSuffix(d.Round(time.Minute).String(), "0s") // "1h30m0s" -> "1h30m"
	if h, ok := strings.CutSuffix(s, "h0m"); ok {
		return h + "h"
	}
	return s
}
