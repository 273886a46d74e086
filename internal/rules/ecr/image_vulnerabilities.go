package ecr

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// topFindings is how many finding names a detail lists.
const topFindings = 5

// ImageVulnerabilities fails an image whose latest scan found vulnerabilities at or above the threshold.
var ImageVulnerabilities = registerImage(&ImageRule{
	Meta: rule.Meta{
		ID:    "image.vulnerabilities",
		Title: "Image has vulnerabilities at or above the threshold",
		Description: "The image's latest scan reports known vulnerabilities at or above the configured severity " +
			"(default HIGH); tasks running it can be attacked through them.",
		Remediation: "Rebuild the image on a patched base image with updated packages, push it and move the task " +
			"definitions to the new digest. `aws ecr describe-image-scan-findings --repository-name NAME " +
			"--image-id imageDigest=DIGEST` lists the findings.",
		RemediationURL:  "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html",
		Severity:        rule.High,
		Profile:         rule.Baseline,
		SeverityAsFound: true,
		Vulnerability:   true,
		Related:         []string{"Prowler ecr_repositories_scan_vulnerabilities_in_latest_image"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html",
			"https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageScanFindingsSummary.html",
		},
	},
	Check: func(img *model.Image, env *rule.Env) []rule.Result {
		if scanStatus(img) == ecrtypes.ScanStatusImageArchived {
			return []rule.Result{{Status: rule.NotApplicable,
				Detail: "the image is archived: it cannot be pulled, and is scanned again once restored"}}
		}
		if !scanCompleted(img) {
			return notAvailable("no completed scan to judge (status " + statusText(img) + "); see image.scan-missing")
		}
		sum := img.Detail.ImageScanFindingsSummary
		if sum == nil {
			return notAvailable("the scan completed but the input has no imageScanFindingsSummary: add the output of " +
				"`aws ecr describe-images` for the image, which carries the finding counts")
		}
		threshold := env.Settings.VulnerabilityThreshold
		if threshold.Rank() == 0 {
			threshold = rule.High
		}
		var highest rule.Severity
		over := 0
		for k, n := range sum.FindingSeverityCounts {
			s := rule.Severity(strings.ToUpper(k))
			if n <= 0 || s.Rank() == 0 {
				continue
			}
			if s.AtLeast(threshold) {
				over += int(n)
			}
			if s.Rank() > highest.Rank() {
				highest = s
			}
		}
		counts := countText(sum.FindingSeverityCounts)
		if over == 0 {
			if counts == "" {
				return pass("the latest scan found no vulnerabilities")
			}
			return pass(fmt.Sprintf("no findings at or above %s (%s)", threshold, counts))
		}
		detail := fmt.Sprintf("%d findings at or above %s (%s)", over, threshold, counts)
		if names := topNames(img.Findings, threshold); len(names) > 0 {
			detail += "; top: " + strings.Join(names, ", ")
		} else {
			detail += "; add the output of `aws ecr describe-image-scan-findings` to name them"
		}
		return []rule.Result{{Status: rule.Failed, Severity: highest, Detail: detail,
			Path: "imageScanFindingsSummary/findingSeverityCounts"}}
	},
})

// countText lists non-zero counts, highest severity first, then any other label (UNDEFINED, UNTRIAGED) by name.
func countText(counts map[string]int32) string {
	keys := make([]string, 0, len(counts))
	for k, n := range counts {
		if n > 0 {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rule.Severity(strings.ToUpper(keys[i])).Rank(), rule.Severity(strings.ToUpper(keys[j])).Rank()
		if ri != rj {
			return ri > rj
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = strconv.Itoa(int(counts[k])) + " " + strings.ToUpper(k)
	}
	return strings.Join(parts, ", ")
}

// topNames returns the names of the most severe findings at or above the threshold, without repeats.
func topNames(fs []model.ScanFinding, threshold rule.Severity) []string {
	sorted := append([]model.ScanFinding(nil), fs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		return rule.Severity(strings.ToUpper(sorted[i].Severity)).Rank() > rule.Severity(strings.ToUpper(sorted[j].Severity)).Rank()
	})
	var out []string
	seen := map[string]bool{}
	for _, f := range sorted {
		if len(out) == topFindings {
			break
		}
		if f.Name == "" || seen[f.Name] || !rule.Severity(strings.ToUpper(f.Severity)).AtLeast(threshold) {
			continue
		}
		seen[f.Name] = true
		out = append(out, f.Name)
	}
	return out
}
