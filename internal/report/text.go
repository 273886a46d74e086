package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Text writes a readable report grouped by resource, failures first, with how to fix each.
type Text struct{}

const (
	reset  = "\x1b[0m"
	bold   = "\x1b[1m"
	dim    = "\x1b[2m"
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	green  = "\x1b[32m"
	cyan   = "\x1b[36m"
)

// Write implements Writer.
func (Text) Write(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !r.Color {
			return s
		}
		return code + s + reset
	}
	shown := r.Shown()
	type resource struct{ typ, id string }
	order := []resource{}
	groups := map[resource][]int{}
	for i, f := range shown {
		key := resource{f.Subject.Type, f.Subject.Scoped(f.Subject.ID)}
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], i)
	}
	for _, key := range order {
		idx := groups[key]
		// What to fix first: the most severe findings of a resource lead, then by rule and container.
		sort.SliceStable(idx, func(a, b int) bool {
			fa, fb := shown[idx[a]], shown[idx[b]]
			if ra, rb := fa.Severity.Rank(), fb.Severity.Rank(); ra != rb {
				return ra > rb
			}
			if fa.Rule.ID != fb.Rule.ID {
				return fa.Rule.ID < fb.Rule.ID
			}
			return fa.Container < fb.Container
		})
		first := shown[idx[0]]
		fmt.Fprintf(bw, "%s %s\n", paint(bold, inert(first.Subject.ID)), paint(dim, "("+inert(first.Subject.Type)+", "+inert(sourceLine(first.Subject))+")"))
		passed, na := 0, 0
		for _, i := range idx {
			switch shown[i].Status {
			case rule.Passed:
				passed++
			case rule.NotApplicable:
				na++
			}
		}
		for _, want := range []rule.Status{rule.Failed, rule.Suppressed, rule.NotAvailable} {
			for _, i := range idx {
				f := shown[i]
				if f.Status != want {
					continue
				}
				where := ""
				if f.Container != "" {
					where = " [" + inert(f.Container) + "]"
				}
				if f.Subject.Platform != "" {
					where += " [" + f.Subject.Platform + "]"
				}
				var label string
				switch f.Status {
				case rule.Failed:
					label = paint(severityColor(f.Severity), fmt.Sprintf("%-8s", f.Severity))
				case rule.Suppressed:
					label = paint(cyan, fmt.Sprintf("%-8s", "WAIVED"))
				default:
					label = paint(yellow, fmt.Sprintf("%-8s", "N/AVAIL"))
				}
				fmt.Fprintf(bw, "  %s %s%s: %s\n", label, f.Rule.ID, where, f.Rule.Title)
				if f.Detail != "" {
					fmt.Fprintf(bw, "           %s\n", inert(f.Detail))
				}
				if f.Status == rule.Failed {
					fmt.Fprintf(bw, "           %s %s\n", paint(bold, "fix:"), f.Rule.Remediation)
				}
				if s := f.Suppression; s != nil && f.Status == rule.Suppressed {
					until := ""
					if s.Until != "" {
						until = " until " + s.Until
					}
					fmt.Fprintf(bw, "           waived by %s%s: %s\n", inert(s.By), until, inert(s.Reason))
				}
			}
		}
		// Passes are counted per resource rather than listed: a rule's title describes the problem, not the pass.
		if passed > 0 || na > 0 {
			fmt.Fprintf(bw, "  %s %d checks passed, %d not applicable\n", paint(green, fmt.Sprintf("%-8s", "PASS")), passed, na)
		}
		fmt.Fprintln(bw)
	}
	writeRollup(bw, shown)
	s := r.Summarize()
	parts := []string{}
	for i := len(rule.Severities) - 1; i >= 0; i-- {
		sev := string(rule.Severities[i])
		if n := s.BySeverity[sev]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	bySev := ""
	if len(parts) > 0 {
		bySev = " (" + strings.Join(parts, ", ") + ")"
	}
	fmt.Fprintf(bw, "%s scanned: %d failed%s, %d passed, %d suppressed, %d not applicable, %d not available\n",
		plural(s.Resources, "resource"), s.Failed, bySev, s.Passed, s.Suppressed, s.NotApplicable, s.NotAvailable)
	return bw.Flush()
}

func severityColor(s rule.Severity) string {
	switch s {
	case rule.Critical, rule.High:
		return red
	case rule.Medium:
		return yellow
	}
	return cyan
}

// sourceLine names where a resource was read: its file, and its line when the reader located it (a template's
// logical ID, a plan's resource address).
func sourceLine(s *engine.Subject) string {
	if s.Resource != nil && s.Resource.Ident().Line > 0 {
		return s.Source + ":" + strconv.Itoa(s.Resource.Ident().Line)
	}
	return s.Source
}
