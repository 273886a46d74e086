package report

import (
	"fmt"
	"io"
	"sort"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// ruleCount is one line of the text report's roll-up: a rule, its highest FAILED severity and how many findings
// (one per container, or per resource for other levels) it has.
type ruleCount struct {
	meta *rule.Meta
	sev  rule.Severity
	n    int
}

// writeRollup writes the FAILED findings per rule, most severe first, so a reader sees which rule to fix first
// across every resource; nothing when nothing failed.
func writeRollup(w io.Writer, fs []engine.Finding) {
	byRule := map[string]*ruleCount{}
	var order []*ruleCount
	for i := range fs {
		f := &fs[i]
		if f.Status != rule.Failed {
			continue
		}
		c := byRule[f.Rule.ID]
		if c == nil {
			c = &ruleCount{meta: f.Rule}
			byRule[f.Rule.ID] = c
			order = append(order, c)
		}
		c.n++
		if f.Severity.Rank() > c.sev.Rank() {
			c.sev = f.Severity
		}
	}
	if len(order) == 0 {
		return
	}
	sort.Slice(order, func(a, b int) bool {
		if ra, rb := order[a].sev.Rank(), order[b].sev.Rank(); ra != rb {
			return ra > rb
		}
		return order[a].meta.ID < order[b].meta.ID
	})
	fmt.Fprintf(w, "%-40s %-8s %-10s %s\n", "failed by rule", "severity", "profile", "findings")
	for _, c := range order {
		fmt.Fprintf(w, "%-40s %-8s %-10s %d\n", c.meta.ID, c.sev, c.meta.Profile, c.n)
	}
	fmt.Fprintln(w)
}
