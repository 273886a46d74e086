package asff

import (
	"fmt"
	"io"

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

// Write implements report.Writer. Findings are built and written one at a time: a scan of thousands of files has
// hundreds of thousands of them, each with its resource's details.
func (w Writer) Write(out io.Writer, r *report.Report) error {
	p := Params{Version: r.Version, CreatedAt: r.Now, UpdatedAt: r.Now, Account: w.Account, Region: w.Region,
		Resources: &Resources{}}
	// The findings of a resource share its details (Params.Resources), written once and copied for the others.
	l := List{details: &sharedDetails{}}
	flush := func() error {
		if _, err := out.Write(l.Bytes()); err != nil {
			return fmt.Errorf("write asff: %w", err)
		}
		l.Reset()
		return nil
	}
	shown := r.Shown()
	for i := range shown {
		if shown[i].Status == rule.NotApplicable {
			continue
		}
		f, err := Build(&shown[i], p)
		if err != nil {
			return err
		}
		l.Append(&f)
		if len(l.Bytes()) >= 64<<10 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	l.Close()
	return flush()
}

var _ report.Writer = Writer{}
