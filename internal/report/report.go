// Package report writes findings for people and tools: text, JSON, SARIF and ASFF behind one interface.
package report

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Report is one scan's outcome.
type Report struct {
	Findings []engine.Finding
	// Resources counts the resources evaluated.
	Resources int
	Catalog   *engine.Catalog
	// Sources holds the input files' bytes by path, for writers that locate findings by line.
	Sources map[string][]byte
	Now     time.Time
	Version string
	// OnlyFailed limits output to FAILED findings.
	OnlyFailed bool
	// Color enables ANSI colour in the text writer.
	Color bool
	// InputErrors are the inputs that could not be read, in whole or in part: the report is incomplete without them.
	InputErrors []InputError
}

// InputError is one input a scan could not read: its path and the message that says what was wrong and where.
type InputError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Writer renders a report in one format.
type Writer interface {
	Write(w io.Writer, r *Report) error
}

// Writers maps each --format name to its writer.
var Writers = map[string]Writer{
	"text":  Text{},
	"json":  JSON{},
	"sarif": SARIF{},
	"asff":  ASFF{},
	"junit": JUnit{},
}

// Formats lists the format names in order.
func Formats() []string {
	var out []string
	for k := range Writers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Shown returns the findings a writer should show.
func (r *Report) Shown() []engine.Finding {
	if !r.OnlyFailed {
		return r.Findings
	}
	var out []engine.Finding
	for _, f := range r.Findings {
		if f.Status == rule.Failed {
			out = append(out, f)
		}
	}
	return out
}

// Summary counts findings.
type Summary struct {
	Resources     int            `json:"resources"`
	Failed        int            `json:"failed"`
	Passed        int            `json:"passed"`
	Suppressed    int            `json:"suppressed"`
	NotApplicable int            `json:"notApplicable"`
	NotAvailable  int            `json:"notAvailable"`
	BySeverity    map[string]int `json:"bySeverity"`
}

// Summarize counts every finding (not only those shown).
func (r *Report) Summarize() Summary {
	s := Summary{Resources: r.Resources, BySeverity: map[string]int{}}
	for _, f := range r.Findings {
		switch f.Status {
		case rule.Failed:
			s.Failed++
			s.BySeverity[string(f.Severity)]++
		case rule.Passed:
			s.Passed++
		case rule.Suppressed:
			s.Suppressed++
		case rule.NotApplicable:
			s.NotApplicable++
		case rule.NotAvailable:
			s.NotAvailable++
		}
	}
	return s
}

// MaxFailedSeverity returns the highest severity among FAILED findings, or "".
func MaxFailedSeverity(fs []engine.Finding) rule.Severity {
	var max rule.Severity
	for _, f := range fs {
		if f.Status == rule.Failed && f.Severity.Rank() > max.Rank() {
			max = f.Severity
		}
	}
	return max
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
