// Package engine runs rules over resources and turns their results into findings: stable IDs, configured
// severities, and suppressions applied in the open. It never knows a particular rule.
package engine

import (
	"time"

	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/model"
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

// Resources is a batch of resources to evaluate together.
type Resources struct {
	Tasks      []*model.TaskDefinition
	Repos      []*model.Repository
	Registries []*model.Registry
	Images     []*model.Image
}

// Evaluate runs every enabled rule over every resource, in input order.
func (e *Engine) Evaluate(rs Resources, now time.Time) []Finding {
	var out []Finding
	for _, t := range rs.Tasks {
		out = append(out, e.Task(t, now)...)
	}
	for _, r := range rs.Repos {
		out = append(out, e.Repository(r, now)...)
	}
	for _, g := range rs.Registries {
		out = append(out, e.Registry(g, now)...)
	}
	for _, i := range rs.Images {
		out = append(out, e.Image(i, now)...)
	}
	return out
}

// Task evaluates one task definition.
func (e *Engine) Task(t *model.TaskDefinition, now time.Time) []Finding {
	return run(e, e.cat.Tasks, t, now)
}

// Repository evaluates one repository.
func (e *Engine) Repository(r *model.Repository, now time.Time) []Finding {
	return run(e, e.cat.Repos, r, now)
}

// Registry evaluates one registry.
func (e *Engine) Registry(g *model.Registry, now time.Time) []Finding {
	return run(e, e.cat.Registries, g, now)
}

// Image evaluates one image.
func (e *Engine) Image(i *model.Image, now time.Time) []Finding {
	return run(e, e.cat.Images, i, now)
}

func run[R model.Resource](e *Engine, rules []*rule.Rule[R], r R, now time.Time) []Finding {
	env := &rule.Env{Settings: e.cfg.Settings, Now: now}
	ref := r.Ident()
	sup := e.suppressionsFor(r, now)
	var out []Finding
	for _, ru := range rules {
		if e.cfg.Disabled(ru.ID) {
			continue
		}
		for _, res := range ru.Check(r, env) {
			out = append(out, e.finding(&ru.Meta, r, ref, res, sup))
		}
	}
	if sup.invalid != "" {
		out = append(out, e.invalidTagFinding(r, ref, sup.invalid))
	}
	return out
}

func (e *Engine) finding(m *rule.Meta, r model.Resource, ref *model.Ref, res rule.Result, sup *suppressions) Finding {
	sev := m.Severity
	if res.Severity != "" {
		sev = res.Severity
	}
	sev = e.cfg.Severity(m.ID, sev)
	f := Finding{
		ID:           FindingID(m.ID, r.ID(), res.Container),
		RuleID:       m.ID,
		Status:       res.Status,
		Severity:     sev,
		ResourceType: r.Type(),
		ResourceID:   r.ID(),
		Container:    res.Container,
		Title:        m.Title,
		Detail:       res.Detail,
		Remediation:  m.Remediation,
		Source:       ref.Source,
		Path:         res.Path,
		SourcePath:   ref.SourcePath,
		Account:      ref.Account,
		Region:       ref.Region,
		Rule:         m,
		Resource:     r,
	}
	if res.Status == rule.Failed {
		sup.apply(&f)
	}
	return f
}
