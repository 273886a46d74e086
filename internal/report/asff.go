package report

import (
	"fmt"
	"io"

	"github.com/ecsaudit/ecsaudit/internal/asff"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// ASFF is `--format asff`: the findings the publisher would send for the same input, equal apart from
// timestamps (both are the report's evaluation time). NOT_APPLICABLE results are left out, as the publisher
// never sends them; PASSED ones are shown, as everything else the CLI evaluated.
type ASFF struct {
	// Account and Region apply to findings whose resource carries neither (no ARN, no --account/--region at load).
	Account, Region string
}

// Write implements Writer. Findings are built and written one at a time: a scan of thousands of files has
// hundreds of thousands of them, each with its resource's details.
func (w ASFF) Write(out io.Writer, r *Report) error {
	// The findings of a resource share its details (Params.Resources): described and measured once, not per finding.
	p := asff.Params{Version: r.Version, CreatedAt: r.Now, UpdatedAt: r.Now, Account: w.Account, Region: w.Region,
		Resources: &asff.Resources{}}
	var l asff.List
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
		f, err := asff.Build(&shown[i], p)
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
