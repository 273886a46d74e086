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
	// One slice sized for the whole batch: findings are large values, and growing the slice copies all of them.
	n := 0
	for _, t := range rs.Tasks {
		n += expected(e.cat.Tasks, len(t.Def.ContainerDefinitions))
	}
	n += len(rs.Repos)*len(e.cat.Repos) + len(rs.Registries)*len(e.cat.Registries) + len(rs.Images)*len(e.cat.Images)
	out := make([]Finding, 0, n)
	env := &rule.Env{Settings: e.cfg.Settings, Now: now}
	for _, t := range rs.Tasks {
		out = appendRun(e, out, e.cat.Tasks, t, env)
	}
	for _, r := range rs.Repos {
		out = appendRun(e, out, e.cat.Repos, r, env)
	}
	for _, g := range rs.Registries {
		out = appendRun(e, out, e.cat.Registries, g, env)
	}
	for _, i := range rs.Images {
		out = appendRun(e, out, e.cat.Images, i, env)
	}
	return nilIfEmpty(out)
}

// Task evaluates one task definition.
func (e *Engine) Task(t *model.TaskDefinition, now time.Time) []Finding {
	out := make([]Finding, 0, expected(e.cat.Tasks, len(t.Def.ContainerDefinitions)))
	return nilIfEmpty(appendRun(e, out, e.cat.Tasks, t, &rule.Env{Settings: e.cfg.Settings, Now: now}))
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

// expected estimates how many findings the task rules give for a task with n containers: one per container for a
// container-level rule, one for any other. It only sizes a slice; a rule may return more.
func expected(rules []*rule.Rule[*model.TaskDefinition], n int) int {
	total := 0
	for _, ru := range rules {
		if ru.Level == rule.ContainerLevel {
			total += max(n, 1)
		} else {
			total++
		}
	}
	return total
}

// nilIfEmpty keeps "no findings" a nil slice, as it was before the slices were sized in advance.
func nilIfEmpty(fs []Finding) []Finding {
	if len(fs) == 0 {
		return nil
	}
	return fs
}

func run[R model.Resource](e *Engine, rules []*rule.Rule[R], r R, now time.Time) []Finding {
	return nilIfEmpty(appendRun(e, nil, rules, r, &rule.Env{Settings: e.cfg.Settings, Now: now}))
}

// appendRun appends the findings of every enabled rule on r to out, whose spare capacity must be zero (as make and
// append leave it).
func appendRun[R model.Resource](e *Engine, out []Finding, rules []*rule.Rule[R], r R, env *rule.Env) []Finding {
	sub := NewSubject(r)
	var sup suppressions
	e.suppressionsFor(&sup, r, sub.ID, env.Now)
	for _, ru := range rules {
		if e.cfg.Disabled(ru.ID) {
			continue
		}
		results := ru.Check(r, env)
		for i := range results {
			if len(out) < cap(out) {
				// Past its length the slice is still as make zeroed it; appending a zero Finding would zero it
				// again, with a write barrier per pointer while the collector runs.
				out = out[:len(out)+1]
			} else {
				out = append(out, Finding{})
			}
			e.finding(&out[len(out)-1], &ru.Meta, sub, &results[i], &sup)
		}
	}
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
	f.Detail = res.Detail
	f.Path = res.Path
	if res.Status == rule.Failed {
		sup.apply(f)
	}
}
