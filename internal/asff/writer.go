package asff

import (
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/report"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Writer is the CLI's `--format asff`: the findings the publisher would send for the same input, equal apart from
// timestamps (both are the report's evaluation time). NOT_APPLICABLE results are left out, as the publisher
// never sends them; PASSED ones are shown, as everything else the CLI evaluated.
type Writer struct {
	// Account and Region apply to findings whose resource carries neither (no ARN, no --account/--region at load).
	Account, Region string
}

// Write implements report.Writer.
func (w Writer) Write(out io.Writer, r *report.Report) error {
	p := Params{Version: r.Version, CreatedAt: r.Now, UpdatedAt: r.Now, Account: w.Account, Region: w.Region}
	fs := []types.AwsSecurityFinding{}
	shown := r.Shown()
	for i := range shown {
		if shown[i].Status == rule.NotApplicable {
			continue
		}
		f, err := Build(&shown[i], p)
		if err != nil {
			return err
		}
		fs = append(fs, f)
	}
	data, err := Marshal(fs)
	if err != nil {
		return err
	}
	if _, err := out.Write(data); err != nil {
		return fmt.Errorf("write asff: %w", err)
	}
	return nil
}

var _ report.Writer = Writer{}
