package engine

import (
	"fmt"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// The rules whose results make up a container's risk context.
const (
	ruleRootUser      = "task.root-user"
	rulePrivileged    = "task.privileged-container"
	ruleAddedCaps     = "task.added-capabilities"
	ruleVulnerableImg = "task.vulnerable-image"
)

// containerContext is what the other results on one container say about its risk.
type containerContext struct {
	root, privileged, dangerousCaps, criticalVulns bool
}

// reason says why a container's findings rise, or "" when nothing does.
func (c containerContext) reason() string {
	switch {
	case c.root && c.privileged:
		return "the container also runs as root and is privileged"
	case c.root && c.dangerousCaps:
		return "the container also runs as root and adds dangerous capabilities"
	case c.criticalVulns:
		return "the container's image has CRITICAL vulnerabilities"
	}
	return ""
}

// applyContext raises each FAILED task definition finding one severity level when the rest of its container's
// results make it riskier: the container runs as root and is privileged or adds dangerous capabilities, or its image
// has CRITICAL vulnerabilities. It combines findings, never hides one, and leaves a configured severity override as
// configured. The running context (which services and task sets run the revision) is applied after it, by
// applyRunning.
func (e *Engine) applyContext(fs []Finding) {
	byContainer := map[string]*containerContext{}
	for i := range fs {
		f := &fs[i]
		if f.Status != rule.Failed || f.Container == "" || f.Subject.Type != rule.TypeTaskDefinition {
			continue
		}
		c := byContainer[f.Container]
		if c == nil {
			c = &containerContext{}
			byContainer[f.Container] = c
		}
		switch f.Rule.ID {
		case ruleRootUser:
			c.root = true
		case rulePrivileged:
			c.privileged = true
		case ruleAddedCaps:
			c.dangerousCaps = true
		case ruleVulnerableImg:
			c.criticalVulns = c.criticalVulns || f.Severity == rule.Critical
		}
	}
	for i := range fs {
		f := &fs[i]
		if f.Status != rule.Failed || f.Container == "" || f.Subject.Type != rule.TypeTaskDefinition {
			continue
		}
		c := byContainer[f.Container]
		why := c.reason()
		if why == "" || e.cfg.Severity(f.Rule.ID, "") != "" {
			continue
		}
		if f.Rule.ID == ruleVulnerableImg && !(c.root && (c.privileged || c.dangerousCaps)) {
			continue // the CRITICAL vulnerabilities are this finding's own severity already
		}
		raised := raise(f.Severity)
		if raised == f.Severity {
			continue
		}
		f.Context = fmt.Sprintf("severity raised from %s to %s: %s", f.Severity, raised, why)
		f.Detail += " (" + f.Context + ")"
		f.Severity = raised
	}
}

// raise returns the next severity up, CRITICAL staying CRITICAL.
func raise(s rule.Severity) rule.Severity {
	if r := s.Rank(); r > 0 && r < len(rule.Severities) {
		return rule.Severities[r]
	}
	return s
}
