package engine

import (
	"fmt"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/redact"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// applyRunning adds a task definition's running context (model.TaskDefinition.Running) to its FAILED and SUPPRESSED
// findings, and moves the severity of the FAILED ones by it, after the container context (applyContext):
//   - a revision run by a service or task set that the internet reaches (a public IP, or an internet-facing load
//     balancer) raises every finding one level;
//   - a revision that nothing runs, when the context is complete, lowers every finding one level, never below LOW;
//   - otherwise (run privately, or nothing known) the severity stays.
//
// Each move is explained in the detail and in Context, after any move the container context made. A configured
// severity override is left as configured. A revision read without running context is left as it is: a plain file
// scan knows nothing of what runs, and never lowers anything.
func (e *Engine) applyRunning(fs []Finding, r model.Resource) {
	td, ok := r.(*model.TaskDefinition)
	if !ok || td.Running == nil {
		return
	}
	exp := td.Running.Exposure()
	if exp == model.ExposureUnknown {
		return
	}
	desc := redact.Text(td.Running.Describe())
	for i := range fs {
		f := &fs[i]
		if f.Status != rule.Failed && f.Status != rule.Suppressed {
			continue
		}
		note := e.moveByRunning(f, exp, td.Running.ExposedBy())
		if note == "" || exp != model.ExposureNone {
			// A fall's note says all there is (nothing runs it); a rise's names no service.
			f.Detail += " (" + desc + ")"
		}
		if note != "" {
			if f.Context != "" {
				f.Context += "; "
			}
			f.Context += note
			f.Detail += " (" + note + ")"
		}
	}
}

// moveByRunning raises or lowers a FAILED finding's severity by its revision's exposure and returns why, or "" when
// it stays (not FAILED, a configured severity, run privately, or already at the end of the scale).
func (e *Engine) moveByRunning(f *Finding, exp model.Exposure, by string) string {
	if f.Status != rule.Failed || e.cfg.Severity(f.Rule.ID, "") != "" {
		return ""
	}
	var moved rule.Severity
	var verb, why string
	switch exp {
	case model.ExposurePublic:
		moved, verb, why = raise(f.Severity), "raised", "the revision runs where the internet reaches it ("+by+")"
	case model.ExposureNone:
		moved, verb, why = lower(f.Severity), "lowered", model.NothingRuns
	default:
		return ""
	}
	if moved == f.Severity {
		return ""
	}
	note := fmt.Sprintf("severity %s from %s to %s: %s", verb, f.Severity, moved, why)
	f.Severity = moved
	return note
}

// lower returns the next severity down, LOW and INFORMATIONAL staying as they are: a failure that nothing runs is
// lower priority, never a note.
func lower(s rule.Severity) rule.Severity {
	if r := s.Rank(); r > 2 {
		return rule.Severities[r-2]
	}
	return s
}
