package taskdef

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// VulnerableImage fails a container whose ECR image's latest scan counts findings at or above the configured
// threshold; the result carries the highest severity found. Images outside private ECR are NOT_APPLICABLE, and
// an ECR image that was not read or has no completed scan is NOT_AVAILABLE, never PASSED.
var VulnerableImage = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.vulnerable-image",
		Title: "Container image has known vulnerabilities",
		Description: "The latest ECR scan of the image found vulnerabilities at or above the configured severity: " +
			"every task started from this definition runs the affected packages until the image is rebuilt and " +
			"the task definition points at the new one.",
		Remediation: "Rebuild the image on a patched base image with updated packages (the findings in ECR or " +
			"Amazon Inspector name the fixed versions), push it, and update the task definition to the new digest " +
			"or tag.",
		RemediationURL:  "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html",
		Severity:        rule.High,
		Profile:         rule.Baseline,
		SeverityAsFound: true,
		ReadsImages:     true,
		Vulnerability:   true,
		Level:           rule.ContainerLevel,
		References: []string{
			"https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html",
			"https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageScanFindingsSummary.html",
			"https://docs.aws.amazon.com/inspector/latest/user/scanning-ecr.html",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		threshold := envSettings(env).VulnerabilityThreshold
		if threshold.Rank() == 0 {
			threshold = rule.High
		}
		return perContainer(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			return checkImageScan(env, t, i, c, threshold)
		})
	},
})

// scanSeverities are the severities ECR counts, highest first. UNDEFINED (basic scanning) and UNTRIAGED (Inspector)
// rank below every threshold: they are listed but never fail an image.
var scanSeverities = []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED", "UNTRIAGED"}

func checkImageScan(env *rule.Env, t *model.TaskDefinition, i int, c *ecstypes.ContainerDefinition, threshold rule.Severity) rule.Result {
	name := t.ContainerName(i)
	img := containerImage(c)
	if img == "" {
		return noImage(name)
	}
	if _, _, ok := model.ParseImageRef(img).ECR(); !ok {
		return inapplicable(fmt.Sprintf("container %q uses image %s, which is not in a private Amazon ECR registry", name, img))
	}
	lk, ok := t.Images[aws.ToString(c.Image)]
	if !ok {
		lk, ok = t.Images[img]
	}
	switch {
	case !ok || (lk.Image == nil && lk.Err == ""):
		return unavailable(fmt.Sprintf("container %q: image %s was not looked up in ECR, so its scan results are unknown", name, img))
	case lk.Err != "":
		return unavailable(fmt.Sprintf("container %q: image %s could not be read from ECR: %s", name, img, lk.Err))
	}
	d := lk.Image.Detail
	label := img
	if dg := aws.ToString(d.ImageDigest); dg != "" && !strings.Contains(img, dg) {
		label += " (" + dg + ")"
	}
	status, desc := scanStatus(d)
	if status != ecrtypes.ScanStatusComplete && status != ecrtypes.ScanStatusActive {
		what := "has never been scanned"
		if status != "" {
			what = "has no completed scan: status " + string(status)
		}
		if desc != "" {
			what += " (" + desc + ")"
		}
		return unavailable(fmt.Sprintf("container %q: image %s %s", name, label, what))
	}
	sum := d.ImageScanFindingsSummary
	if sum == nil {
		return unavailable(fmt.Sprintf("container %q: image %s has scan status %s but the input holds no scan summary", name, label, string(status)))
	}
	counts, highest, failing := severityCounts(sum.FindingSeverityCounts, threshold)
	scanned := "latest scan"
	if sum.ImageScanCompletedAt != nil {
		scanned += " (" + sum.ImageScanCompletedAt.UTC().Format(time.RFC3339) + ")"
	}
	if !failing {
		return pass(fmt.Sprintf("container %q: %s of image %s found nothing at or above %s: %s", name, scanned, label, string(threshold), counts))
	}
	detail := fmt.Sprintf("container %q: %s of image %s found %s (threshold %s)", name, scanned, label, counts, string(threshold))
	if top := topFindings(lk.Image.Findings, threshold, 5); len(top) > 0 {
		detail += "; top findings: " + strings.Join(top, ", ")
	}
	r := fail(detail, containerPath(i, "image"))
	r.Severity = highest
	return r
}

func scanStatus(d ecrtypes.ImageDetail) (ecrtypes.ScanStatus, string) {
	if d.ImageScanStatus == nil {
		return "", ""
	}
	return d.ImageScanStatus.Status, strings.TrimSpace(aws.ToString(d.ImageScanStatus.Description))
}

// severityCounts renders the non-zero counts highest first, and returns the highest severity present and whether
// any count reaches the threshold. A completed scan without counts found nothing.
func severityCounts(m map[string]int32, threshold rule.Severity) (text string, highest rule.Severity, failing bool) {
	byName := map[string]int32{}
	for k, n := range m {
		byName[strings.ToUpper(strings.TrimSpace(k))] += n
	}
	order := append([]string(nil), scanSeverities...)
	for _, k := range model.SortedKeys(byName) {
		if !slices.Contains(order, k) {
			order = append(order, k)
		}
	}
	var parts []string
	for _, k := range order {
		n := byName[k]
		if n <= 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %s", strconv.Itoa(int(n)), k))
		s := rule.Severity(k)
		if s.Rank() > highest.Rank() {
			highest = s
		}
		if s.AtLeast(threshold) {
			failing = true
		}
	}
	if len(parts) == 0 {
		return "no findings", "", false
	}
	return strings.Join(parts, ", "), highest, failing
}

// topFindings names up to n findings at or above the threshold, highest severity first.
func topFindings(fs []model.ScanFinding, threshold rule.Severity, n int) []string {
	sorted := slices.Clone(fs)
	sort.SliceStable(sorted, func(a, b int) bool {
		return rule.Severity(strings.ToUpper(sorted[a].Severity)).Rank() > rule.Severity(strings.ToUpper(sorted[b].Severity)).Rank()
	})
	var out []string
	for _, f := range sorted {
		s := rule.Severity(strings.ToUpper(f.Severity))
		name := strings.TrimSpace(f.Name)
		if name == "" || !s.AtLeast(threshold) || slices.Contains(out, name+" ("+string(s)+")") {
			continue
		}
		out = append(out, name+" ("+string(s)+")")
		if len(out) == n {
			break
		}
	}
	return out
}
