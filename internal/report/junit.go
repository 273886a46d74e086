package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// JUnit writes JUnit XML for CI test tabs: one test suite per rule, one test case per rule and resource. A case
// fails when the rule failed on the resource (its failure lists each failing container with the detail and the fix);
// it is skipped when the rule was waived, not applicable or could not be judged, saying which.
type JUnit struct{}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// Write writes the shown findings (see Report.Shown) as JUnit XML.
func (JUnit) Write(w io.Writer, r *Report) error {
	type caseKey struct{ rule, resource string }
	suites := map[string]*junitSuite{}
	var suiteOrder []string
	cases := map[caseKey]int{} // index into its suite's Cases
	worst := map[caseKey]rule.Status{}
	for _, f := range r.Shown() {
		s, ok := suites[f.Rule.ID]
		if !ok {
			s = &junitSuite{Name: f.Rule.ID}
			suites[f.Rule.ID] = s
			suiteOrder = append(suiteOrder, f.Rule.ID)
		}
		k := caseKey{f.Rule.ID, f.Subject.Scoped(f.Subject.ID)}
		idx, ok := cases[k]
		if !ok {
			s.Cases = append(s.Cases, junitCase{Name: inert(f.Subject.ID), ClassName: f.Rule.ID, File: inert(f.Subject.Source)})
			idx = len(s.Cases) - 1
			cases[k] = idx
		}
		c := &s.Cases[idx]
		switch f.Status {
		case rule.Failed:
			if c.Failure == nil {
				c.Failure = &junitFailure{Message: f.Rule.Title, Type: string(f.Severity)}
			} else if f.Severity.Rank() > rule.Severity(c.Failure.Type).Rank() {
				c.Failure.Type = string(f.Severity)
			}
			c.Failure.Text += failureText(&f)
			c.Skipped = nil
		case rule.Suppressed, rule.NotApplicable, rule.NotAvailable:
			if c.Failure == nil && (c.Skipped == nil || statusRank(f.Status) > statusRank(worst[k])) {
				c.Skipped = &junitSkipped{Message: skipText(&f)}
				worst[k] = f.Status
			}
		}
	}
	out := junitSuites{Name: "ecsaudit"}
	for _, id := range suiteOrder {
		s := suites[id]
		for i := range s.Cases {
			c := &s.Cases[i]
			s.Tests++
			switch {
			case c.Failure != nil:
				s.Failures++
				c.Failure.Text = strings.TrimSuffix(c.Failure.Text, "\n")
			case c.Skipped != nil:
				s.Skipped++
			}
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, *s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("encode junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// failureText is one failing result: where, what was seen, and the fix.
func failureText(f *engine.Finding) string {
	var b strings.Builder
	b.WriteString(string(f.Severity))
	if f.Container != "" {
		b.WriteString(" container " + strconv.Quote(inert(f.Container)))
	}
	if f.Detail != "" {
		b.WriteString(": " + inert(f.Detail))
	}
	b.WriteString("\nfix: " + f.Rule.Remediation)
	if f.Rule.RemediationURL != "" {
		b.WriteString(" (" + f.Rule.RemediationURL + ")")
	}
	b.WriteString("\n")
	return b.String()
}

func skipText(f *engine.Finding) string {
	switch f.Status {
	case rule.Suppressed:
		if f.Suppression != nil {
			return "waived: " + inert(f.Suppression.Reason)
		}
		return "waived"
	case rule.NotAvailable:
		return "not available: " + inert(f.Detail)
	}
	return "not applicable: " + inert(f.Detail)
}

// statusRank orders the statuses a skipped case may carry: what could not be judged outranks a waiver, which
// outranks not applicable.
func statusRank(s rule.Status) int {
	switch s {
	case rule.NotAvailable:
		return 3
	case rule.Suppressed:
		return 2
	case rule.NotApplicable:
		return 1
	}
	return 0
}
