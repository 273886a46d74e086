// Package engine runs rules over resources and turns their results into findings: stable IDs, configured
// severities, and suppressions applied in the open. It never knows a particular rule.
package engine

import (
	"time"

	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/redact"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Engine evaluates a catalog under one configuration.
type Engine struct {
	cat   *Catalog
	cfg   *config.Config
	known map[string]bool
}

// New returns an engine. A nil configuration means the defaults.
func New(cat *Catalog, cfg *config.Config) *Engine {
	if cfg == nil {
		cfg = config.Default()
	}
	known := map[string]bool{}
	for _, m := range cat.Metas() {
		known[m.ID] = true
	}
	return &Engine{cat: cat, cfg: cfg, known: known}
}

// Catalog returns the engine's rules.
func (e *Engine) Catalog() *Catalog { return e.cat }

// Config returns the engine's configuration.
func (e *Engine) Config() *config.Config { return e.cfg }

// Evaluate runs every enabled rule over every resource, in input order, each resource's rules in catalog order.
func (e *Engine) Evaluate(rs []model.Resource, now time.Time) []Finding {
	var out []Finding
	env := &rule.Env{Settings: e.cfg.Settings, Now: now}
	for _, r := range rs {
		out = e.appendRun(out, r, env)
	}
	return out
}

// EvaluateOne evaluates one resource.
func (e *Engine) EvaluateOne(r model.Resource, now time.Time) []Finding {
	return e.appendRun(nil, r, &rule.Env{Settings: e.cfg.Settings, Now: now})
}

// appendRun appends the findings of every enabled rule that applies to r.
func (e *Engine) appendRun(out []Finding, r model.Resource, env *rule.Env) []Finding {
	sub := NewSubject(r)
	var sup suppressions
	e.suppressionsFor(&sup, r, sub.ID, env.Now)
	start := len(out)
	for _, ru := range e.cat.Rules {
		m := ru.Metadata()
		if e.cfg.Disabled(m.ID) {
			continue
		}
		results, ok := ru.CheckResource(r, env)
		if !ok {
			continue
		}
		for i := range results {
			out = append(out, Finding{})
			e.finding(&out[len(out)-1], m, sub, &results[i], &sup)
		}
	}
	e.applyContext(out[start:])
	e.applyRunning(out[start:], r)
	if sup.invalid != "" {
		out = append(out, e.invalidTagFinding(sub, sup.invalid))
	}
	return out
}

// finding fills f, a zero Finding, in place: building it in the slice avoids copying it.
func (e *Engine) finding(f *Finding, m *rule.Meta, sub *Subject, res *rule.Result, sup *suppressions) {
	sev := m.Severity
	if res.Severity != "" {
		sev = res.Severity
	}
	f.Rule = m
	f.Subject = sub
	f.Status = res.Status
	f.Severity = e.cfg.Severity(m.ID, sev)
	f.Container = res.Container
	f.Detail = redact.Text(res.Detail)
	f.Path = res.Path
	if res.Status == rule.Failed {
		sup.apply(f)
	}
}
