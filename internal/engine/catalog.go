package engine

import (
	"fmt"
	"sort"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Catalog is the set of rules the engine runs, one list per resource kind.
type Catalog struct {
	Tasks      []*rule.Rule[*model.TaskDefinition]
	Repos      []*rule.Rule[*model.Repository]
	Registries []*rule.Rule[*model.Registry]
	Images     []*rule.Rule[*model.Image]
}

// Metas lists every rule's metadata sorted by ID, including the engine's own suppression-tag rule.
// It panics on a duplicate ID: that is a programming error caught by any test.
func (c *Catalog) Metas() []*rule.Meta {
	var out []*rule.Meta
	for _, r := range c.Tasks {
		out = append(out, &r.Meta)
	}
	for _, r := range c.Repos {
		out = append(out, &r.Meta)
	}
	for _, r := range c.Registries {
		out = append(out, &r.Meta)
	}
	for _, r := range c.Images {
		out = append(out, &r.Meta)
	}
	out = append(out, &InvalidSuppressionTag)
	seen := map[string]bool{}
	for _, m := range out {
		if seen[m.ID] {
			panic(fmt.Sprintf("duplicate rule ID %s", m.ID))
		}
		seen[m.ID] = true
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup returns a rule's metadata, or nil.
func (c *Catalog) Lookup(id string) *rule.Meta {
	for _, m := range c.Metas() {
		if m.ID == id {
			return m
		}
	}
	return nil
}
