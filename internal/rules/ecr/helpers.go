package ecr

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// notDescribed is the result of a rule that reads the repository description when the input held only a policy
// of the repository: the rule cannot judge, and says which output to add.
func notDescribed(r *model.Repository) []rule.Result {
	return notAvailable(fmt.Sprintf("the input holds only policies of repository %q, not its description: "+
		"add the output of `aws ecr describe-repositories --repository-names %s`", r.Name(), r.Name()))
}

// scanStatus returns the status of an image's latest scan, empty when the input says nothing.
func scanStatus(img *model.Image) ecrtypes.ScanStatus {
	if img.Detail.ImageScanStatus == nil {
		return ""
	}
	return img.Detail.ImageScanStatus.Status
}

// scanDescription returns ECR's explanation of the scan status, if any.
func scanDescription(img *model.Image) string {
	if img.Detail.ImageScanStatus == nil {
		return ""
	}
	return aws.ToString(img.Detail.ImageScanStatus.Description)
}

// scanCompleted reports whether the image has a completed scan: COMPLETE (basic), ACTIVE (enhanced scanning keeps
// monitoring it), or no status but a findings summary, which only a finished scan produces.
func scanCompleted(img *model.Image) bool {
	switch scanStatus(img) {
	case ecrtypes.ScanStatusComplete, ecrtypes.ScanStatusActive:
		return true
	case "":
		return img.Detail.ImageScanFindingsSummary != nil
	}
	return false
}

// statusText names a scan status for a detail, including ECR's description when there is one.
func statusText(img *model.Image) string {
	st := string(scanStatus(img))
	if st == "" {
		st = "absent"
	}
	if d := scanDescription(img); d != "" {
		return fmt.Sprintf("%s (%s)", st, d)
	}
	return st
}
