package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

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
	order := []resourceKey{}
	groups := map[resourceKey][]int{}
	for i, f := range shown {
		key := resourceKey{f.Subject.Type, f.Subject.Scoped(f.Subject.ID)}
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], i)
	}
	lines := textLines(r, shown, order, groups)
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
		src := inert(sourceLine(first.Subject))
		if l := lines.resource[key]; l > 0 && (first.Subject.Resource == nil || first.Subject.Resource.Ident().Line == 0) {
			src += ":" + strconv.Itoa(l)
		}
		fmt.Fprintf(bw, "%s %s\n", paint(bold, inert(first.Subject.ID)), paint(dim, "("+inert(first.Subject.Type)+", "+src+")"))
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
				at := ""
				if l := lines.finding[i]; l > 0 {
					at = paint(dim, " (line "+strconv.Itoa(l)+")")
				}
				fmt.Fprintf(bw, "  %s %s%s: %s%s\n", label, f.Rule.ID, where, f.Rule.Title, at)
				if f.Detail != "" {
					fmt.Fprintf(bw, "           %s\n", inert(f.Detail))
				}
				if f.Status == rule.Failed {
					for j, l := range wrap(f.Rule.Remediation, textWidth-len(fixIndent)) {
						if j == 0 {
							fmt.Fprintf(bw, "           %s %s\n", paint(bold, "fix:"), l)
						} else {
							fmt.Fprintf(bw, "%s%s\n", fixIndent, l)
						}
					}
				}
				if s := f.Suppression; s != nil && f.Status == rule.Suppressed {
					fmt.Fprintf(bw, "           %s\n", inert(waiverText(s)))
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

// textWidth is the width the text report wraps remediation at; fixIndent lines its continuation lines up under
// the first word after "fix:".
const (
	textWidth = 100
	fixIndent = "                "
)

// wrap breaks s at spaces into lines of at most width characters; a word longer than width has a line of its own.
func wrap(s string, width int) []string {
	var out []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) > width:
			out = append(out, line)
			line = w
		default:
			line += " " + w
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// waiverText says who waived a finding, until when and why; a waiver from the resource's tag has no reason beyond
// where it came from, which By already says.
func waiverText(s *engine.Suppression) string {
	t := "waived by " + s.By
	if s.Until != "" {
		t += " until " + s.Until
	}
	if s.Reason != "" && s.Reason != engine.TagWaiverReason {
		t += ": " + s.Reason
	}
	return t
}

// lineNumbers are where the text report's resources and findings are in their input files (0: unknown).
type lineNumbers struct {
	resource map[resourceKey]int
	finding  []int // by index into the shown findings
}

type resourceKey struct{ typ, id string }

// textLines locates each resource's start and each finding's field in the input files the report holds (r.Sources),
// as the SARIF writer does; resources and findings read from AWS have no line.
func textLines(r *Report, shown []engine.Finding, order []resourceKey, groups map[resourceKey][]int) lineNumbers {
	ln := lineNumbers{resource: map[resourceKey]int{}, finding: make([]int, len(shown))}
	if len(r.Sources) == 0 {
		return ln
	}
	// One more finding per resource, with no path of its own: it locates the resource.
	all := make([]engine.Finding, len(shown), len(shown)+len(order))
	copy(all, shown)
	for _, key := range order {
		all = append(all, engine.Finding{Subject: shown[groups[key][0]].Subject})
	}
	regions := locateFindings(r.Sources, all)
	for i := range shown {
		if g := regions[i]; g != nil {
			ln.finding[i] = g.StartLine
		}
	}
	for j, key := range order {
		if g := regions[len(shown)+j]; g != nil {
			ln.resource[key] = g.StartLine
		}
	}
	return ln
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
