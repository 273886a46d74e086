package ecr

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// RepoScanOnPushDisabled fails a repository whose images are not scanned automatically.
var RepoScanOnPushDisabled = registerRepo(&RepoRule{
	Meta: rule.Meta{
		ID:    "repo.scan-on-push-disabled",
		Title: "Repository images are not scanned automatically",
		Description: "Images that are not scanned on push (or continuously) reach tasks with known vulnerabilities " +
			"that nobody is told about; ECR scans them only when someone starts a scan by hand. Profile restricted, " +
			"default MEDIUM: an unscanned repository is a gap in detection, not a vulnerability in itself (the " +
			"vulnerabilities a scan finds are reported HIGH or above by image.vulnerabilities and " +
			"task.vulnerable-image); SecurityControlId still maps it to ECR.1.",
		Remediation: "Add a registry scanning rule whose filter covers the repository, e.g. " +
			"`aws ecr put-registry-scanning-configuration --scan-type BASIC --rules " +
			"'[{\"scanFrequency\":\"SCAN_ON_PUSH\",\"repositoryFilters\":[{\"filter\":\"*\",\"filterType\":\"WILDCARD\"}]}]'` " +
			"(with --scan-type ENHANCED use CONTINUOUS_SCAN or SCAN_ON_PUSH). Under basic scanning the repository " +
			"setting also works: `aws ecr put-image-scanning-configuration --repository-name NAME " +
			"--image-scanning-configuration scanOnPush=true`.",
		RemediationURL:    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html",
		Severity:          rule.Medium,
		Profile:           rule.Restricted,
		SecurityControlID: "ECR.1",
		Related: []string{
			"AWS Config ecr-private-image-scanning-enabled",
			"Prowler ecr_repositories_scan_images_on_push_enabled",
			"Prowler ecr_registry_scan_images_on_push_enabled",
		},
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecr-controls.html#ecr-1",
			"https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-filters.html",
		},
	},
	Check: func(r *model.Repository, _ *rule.Env) []rule.Result {
		if !r.Described {
			return notDescribed(r)
		}
		const path = "imageScanningConfiguration/scanOnPush"
		name := r.Name()
		repoFlag := r.Repo.ImageScanningConfiguration != nil && r.Repo.ImageScanningConfiguration.ScanOnPush
		if r.Registry == nil {
			const missing = "the registry scanning configuration is not in the input (add the output of " +
				"`aws ecr get-registry-scanning-configuration`), so only the repository's scanOnPush flag was judged"
			if repoFlag {
				return pass("scanOnPush is true on the repository; " + missing +
					" (under ENHANCED scanning that flag is ignored)")
			}
			return fail("scanOnPush is not enabled on the repository; "+missing+
				" (a registry rule may still scan it)", path)
		}
		freq, filter, covered := coveringRule(r.Registry.Rules, name)
		how := fmt.Sprintf("registry rule %s with filter %q covers the repository", freq, filter)
		switch r.Registry.ScanType {
		case ecrtypes.ScanTypeEnhanced:
			if covered {
				return pass("ENHANCED scanning: " + how)
			}
			detail := fmt.Sprintf("ENHANCED scanning: no SCAN_ON_PUSH or CONTINUOUS_SCAN registry rule filter "+
				"matches %q, so scanning is disabled for the repository", name)
			if repoFlag {
				detail += " (its scanOnPush flag is ignored under enhanced scanning)"
			}
			return fail(detail, "")
		default:
			// BASIC, and an absent scanType, which is ECR's default.
			if repoFlag {
				return pass("BASIC scanning: scanOnPush is true on the repository")
			}
			if covered {
				return pass("BASIC scanning: " + how)
			}
			return fail(fmt.Sprintf("BASIC scanning: scanOnPush is off and no SCAN_ON_PUSH registry rule filter "+
				"matches %q, so images are scanned only when a scan is started by hand", name), path)
		}
	},
})

// coveringRule returns the first registry rule that scans the repository automatically.
func coveringRule(rules []ecrtypes.RegistryScanningRule, repo string) (freq ecrtypes.ScanFrequency, filter string, ok bool) {
	for _, ru := range rules {
		if ru.ScanFrequency != ecrtypes.ScanFrequencyScanOnPush && ru.ScanFrequency != ecrtypes.ScanFrequencyContinuousScan {
			continue
		}
		for _, f := range ru.RepositoryFilters {
			if f.FilterType != "" && f.FilterType != ecrtypes.ScanningRepositoryFilterTypeWildcard {
				continue
			}
			if scanFilterMatches(aws.ToString(f.Filter), repo) {
				return ru.ScanFrequency, aws.ToString(f.Filter), true
			}
		}
	}
	return "", "", false
}

// scanFilterMatches matches a registry scanning filter the way ECR does
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-filters.html): a filter with no wildcard
// matches every repository name that contains it ("prod" matches "repo-prod-repo"); a filter with "*" must match
// the whole name, each "*" standing for zero or more characters ("*prod" matches "repo-prod" but not "prod-repo").
func scanFilterMatches(filter, repo string) bool {
	if filter == "" {
		return false
	}
	if !strings.Contains(filter, "*") {
		return strings.Contains(repo, filter)
	}
	return rule.Glob(filter, repo)
}
