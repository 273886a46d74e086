package ecr

import (
	"fmt"

	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// RegistryBasicScanning fails a registry that uses basic rather than enhanced scanning.
var RegistryBasicScanning = registerRegistry(&RegistryRule{
	Meta: rule.Meta{
		ID:    "registry.basic-scanning",
		Title: "Registry uses basic image scanning",
		Description: "Basic scanning looks at operating system packages once, when an image is scanned. Enhanced " +
			"scanning (Amazon Inspector) also covers programming language packages and rescans images as new " +
			"vulnerabilities are published, so a running image that becomes vulnerable is reported.",
		Remediation: "Switch the registry to enhanced scanning with a rule covering every repository: " +
			"`aws ecr put-registry-scanning-configuration --scan-type ENHANCED --rules " +
			"'[{\"scanFrequency\":\"CONTINUOUS_SCAN\",\"repositoryFilters\":[{\"filter\":\"*\",\"filterType\":\"WILDCARD\"}]}]'` " +
			"(Amazon Inspector charges for the scans).",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-enhanced.html",
		Severity:       rule.Low,
		Profile:        rule.Restricted,
		Related:        []string{"Prowler ecr_registry_enhanced_scanning_enabled"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html",
			"https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-enhanced.html",
		},
	},
	Check: func(g *model.Registry, _ *rule.Env) []rule.Result {
		switch g.Scanning.ScanType {
		case ecrtypes.ScanTypeBasic:
			return fail("the registry uses BASIC scanning: no language packages, no continuous rescans", "scanType")
		case ecrtypes.ScanTypeEnhanced:
			return pass(fmt.Sprintf("the registry uses ENHANCED scanning (%d scanning rules)", len(g.Scanning.Rules)))
		case "":
			return notAvailable("the registry scanning configuration has no scanType: add the output of " +
				"`aws ecr get-registry-scanning-configuration`")
		default:
			return notAvailable(fmt.Sprintf("the registry scanning configuration has the unknown scanType %q", g.Scanning.ScanType))
		}
	},
})
