package corpustest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/cli"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// TestSignal measures how loud the default configuration is on the real task definitions of the corpus: the share
// of containers with a HIGH or CRITICAL finding, the share with a baseline finding, and the containers per rule
// (`make signal` prints it; docs/signal.md records it). It fails when a container carries HIGH or CRITICAL without a
// baseline finding: that is the noise the profiles exist to remove.
func TestSignal(t *testing.T) {
	requireCorpus(t)
	dir := filepath.Join(corpusDir, "taskdefs")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no task definitions under %s: %v", dir, err)
	}
	cat := catalog.Default()
	type container struct{ high, baseline bool }
	containers := map[string]*container{}
	perRule := map[string]map[string]bool{}
	scanned := 0
	for _, path := range files {
		code, rep, _ := scan(t, path)
		if rep == nil || code < 0 || (code == cli.ExitError && len(rep.Findings) == 0) {
			continue // refused input (see TestWholeCorpus): no findings to measure
		}
		scanned++
		name := filepath.Base(path)
		names := map[string]bool{}
		for _, f := range rep.Findings {
			if f.Container != "" {
				names[f.Container] = true
			}
		}
		for c := range names {
			containers[name+"@"+c] = &container{}
		}
		for _, f := range rep.Findings {
			if f.Status != string(rule.Failed) {
				continue
			}
			m := cat.Lookup(f.RuleID)
			if m == nil {
				t.Fatalf("%s: finding of unknown rule %s", name, f.RuleID)
			}
			sev, err := rule.ParseSeverity(f.Severity)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			// A task-level finding concerns every container of the task.
			targets := []string{f.Container}
			if f.Container == "" {
				targets = targets[:0]
				for c := range names {
					targets = append(targets, c)
				}
			}
			for _, c := range targets {
				k := name + "@" + c
				ct := containers[k]
				if ct == nil {
					continue
				}
				if perRule[f.RuleID] == nil {
					perRule[f.RuleID] = map[string]bool{}
				}
				perRule[f.RuleID][k] = true
				ct.high = ct.high || sev.AtLeast(rule.High)
				ct.baseline = ct.baseline || m.Profile == rule.Baseline
			}
		}
	}
	var high, baseline int
	var noisy []string
	for k, c := range containers {
		if c.high {
			high++
		}
		if c.baseline {
			baseline++
		}
		if c.high && !c.baseline {
			noisy = append(noisy, k)
		}
	}
	n := len(containers)
	if n == 0 {
		t.Fatal("no containers measured")
	}
	pct := func(v int) string { return fmt.Sprintf("%d (%.0f %%)", v, 100*float64(v)/float64(n)) }
	var b strings.Builder
	fmt.Fprintf(&b, "signal: %d containers in %d task definition files\n", n, scanned)
	fmt.Fprintf(&b, "containers with a HIGH or CRITICAL finding: %s\n", pct(high))
	fmt.Fprintf(&b, "containers with a baseline finding:         %s\n", pct(baseline))
	ids := make([]string, 0, len(perRule))
	for id := range perRule {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if len(perRule[ids[i]]) != len(perRule[ids[j]]) {
			return len(perRule[ids[i]]) > len(perRule[ids[j]])
		}
		return ids[i] < ids[j]
	})
	fmt.Fprintf(&b, "%-40s %-10s %-8s %s\n", "rule", "profile", "severity", "containers")
	for _, id := range ids {
		m := cat.Lookup(id)
		sev := string(m.Severity)
		if m.SeverityAsFound {
			sev = "as found"
		}
		fmt.Fprintf(&b, "%-40s %-10s %-8s %s\n", id, m.Profile, sev, pct(len(perRule[id])))
	}
	if os.Getenv("ECSAUDIT_SIGNAL") != "" {
		fmt.Print(b.String())
	} else {
		t.Log("\n" + b.String())
	}
	sort.Strings(noisy)
	for _, k := range noisy {
		t.Errorf("%s: HIGH or CRITICAL without any baseline finding", k)
	}
}
