package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/redact"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// SuppressTag is the resource tag that waives findings on that resource.
const SuppressTag = "ecsaudit:suppress"

// TagWaiverReason is the reason of a waiver from the SuppressTag tag, which carries none of its own: it only says
// where the waiver came from, as its By does.
const TagWaiverReason = "waived by the resource's " + SuppressTag + " tag"

// maxTagValue is the longest tag value ECS and ECR accept.
const maxTagValue = 256

// InvalidSuppressionTag is the engine's own rule: a malformed suppression tag is reported, never ignored.
var InvalidSuppressionTag = rule.Meta{
	ID:    "ecsaudit.invalid-suppression-tag",
	Title: "Suppression tag is malformed",
	Description: "The resource's ecsaudit:suppress tag has entries that cannot be applied. Valid entries still apply; " +
		"the others suppress nothing, so the findings they meant to waive stay open.",
	Remediation: "Write the tag as space-separated entries RULE[@CONTAINER] each optionally followed by until=YYYY-MM-DD, " +
		"e.g. \"task.root-user@log-router until=2026-12-31 task.host-port\", using rule IDs from `ecsaudit rules`.",
	Severity:     rule.Low,
	Profile:      rule.Restricted,
	Level:        rule.TaskLevel,
	ResourceType: "any",
	Related:      []string{"ecsaudit suppressions"},
	References:   []string{"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-using-tags.html"},
}

// waiver is one suppression that matches a resource.
type waiver struct {
	rule, container string
	until           time.Time // zero: no expiry
	reason, by      string
	ignored         string
}

type suppressions struct {
	now     time.Time
	list    []waiver
	invalid string
}

// suppressionsFor fills s with the suppressions that match resource r (whose ID is id). It allocates nothing for a
// resource without a suppression tag when the configuration has no suppressions: the common case, met for every
// resource of a scan.
func (e *Engine) suppressionsFor(s *suppressions, r model.Resource, id string, now time.Time) {
	s.now = now
	ref := r.Ident()
	if v, ok := ref.Tags[SuppressTag]; ok {
		ws, problems := ParseSuppressTag(v, e.known)
		for _, w := range ws {
			w.by = "resource tag " + SuppressTag
			if ref.TagsChangedBy != "" {
				w.by += " (tags last changed by " + ref.TagsChangedBy + ")"
			}
			w.reason = TagWaiverReason
			s.list = append(s.list, w)
		}
		s.invalid = strings.Join(problems, "; ")
	}
	for i, c := range e.cfg.Suppressions {
		if !matchesAny(c.Resource, id, ref.ARN) {
			continue
		}
		s.list = append(s.list, waiver{
			rule: c.Rule, container: c.Container, until: c.Until, reason: c.Reason,
			by: fmt.Sprintf("configuration %s suppressions[%d]", orDefault(e.cfg.Source, "file"), i),
		})
	}
	if max := e.cfg.MaxSuppression; max > 0 {
		limit := now.Add(max)
		for i := range s.list {
			w := &s.list[i]
			switch {
			case w.until.IsZero():
				w.ignored = fmt.Sprintf("no until= date, and suppressions may last at most %d days", int(max.Hours()/24))
			case w.until.After(limit):
				w.ignored = fmt.Sprintf("until=%s is more than %d days ahead", w.until.Format(time.DateOnly), int(max.Hours()/24))
			}
		}
	}
}

// matchesAny reports whether pattern matches the resource's ID or its ARN (either may be empty).
func matchesAny(pattern, id, arn string) bool {
	return (id != "" && rule.Glob(pattern, id)) || (arn != "" && rule.Glob(pattern, arn))
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// apply waives a FAILED finding when a suppression matches; an expired or refused one is recorded, not applied.
func (s *suppressions) apply(f *Finding) {
	for _, w := range s.list {
		if w.rule != f.Rule.ID || (w.container != "" && w.container != f.Container) {
			continue
		}
		sp := &Suppression{Reason: w.reason, By: w.by}
		if !w.until.IsZero() {
			sp.Until = w.until.Format(time.DateOnly)
		}
		switch {
		case w.ignored != "":
			sp.Ignored = w.ignored
			f.Detail += " (suppression not applied: " + w.ignored + ")"
		case !w.until.IsZero() && s.now.After(w.until.Add(24*time.Hour)):
			sp.Expired = true
			f.Detail += " (suppression expired on " + sp.Until + ")"
		default:
			f.Status = rule.Suppressed
			f.Suppression = sp
			return
		}
		f.Suppression = sp
	}
}

// ParseSuppressTag reads an ecsaudit:suppress tag value: space-separated entries RULE[@CONTAINER], each optionally
// followed by until=YYYY-MM-DD. It returns the valid entries and a description of each problem.
func ParseSuppressTag(v string, known map[string]bool) ([]waiver, []string) {
	var out []waiver
	var problems []string
	if len(v) > maxTagValue {
		problems = append(problems, fmt.Sprintf("the tag value has %d characters, more than the %d AWS allows", len(v), maxTagValue))
	}
	for _, c := range v {
		if !tagChar(c) {
			problems = append(problems, fmt.Sprintf("character %q is not allowed in an AWS tag value", c))
			break
		}
	}
	fields := strings.Fields(v)
	if len(fields) == 0 {
		return nil, append(problems, "the tag is empty")
	}
	for i := 0; i < len(fields); i++ {
		tok := fields[i]
		if strings.HasPrefix(tok, "until=") {
			problems = append(problems, fmt.Sprintf("%q does not follow a rule entry", tok))
			continue
		}
		ruleID, container, _ := strings.Cut(tok, "@")
		w := waiver{rule: ruleID, container: container}
		ok := true
		if !known[ruleID] {
			problems = append(problems, fmt.Sprintf("%q is not a rule ID", ruleID))
			ok = false
		}
		if strings.Contains(tok, "@") && container == "" {
			problems = append(problems, fmt.Sprintf("%q has an empty container name", tok))
			ok = false
		}
		if i+1 < len(fields) && strings.HasPrefix(fields[i+1], "until=") {
			i++
			d := strings.TrimPrefix(fields[i], "until=")
			t, err := time.Parse(time.DateOnly, d)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%q: want until=YYYY-MM-DD", fields[i]))
				ok = false
			}
			w.until = t
		}
		if ok {
			out = append(out, w)
		}
	}
	return out, problems
}

func tagChar(c rune) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.ContainsRune(" _.:/=+-@", c)
}

// invalidTagFinding reports a malformed suppression tag on the resource.
func (e *Engine) invalidTagFinding(sub *Subject, problems string) Finding {
	m := &InvalidSuppressionTag
	return Finding{
		Rule: m, Subject: sub, Status: rule.Failed, Severity: e.cfg.Severity(m.ID, m.Severity),
		Detail: redact.Text("tag " + SuppressTag + ": " + problems),
	}
}
