package engine

import (
	"fmt"
	"sort"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Catalog is the set of rules the engine runs, in catalog order. Each rule applies to the resources of its own
// type: the engine never knows a particular rule or kind of resource.
type Catalog struct {
	Rules []rule.Checker
}

// NewCatalog returns a catalog of the given rules.
func NewCatalog(rules ...rule.Checker) *Catalog { return &Catalog{Rules: rules} }

// Metas lists every rule's metadata sorted by ID, including the engine's own suppression-tag rule.
// It panics on a duplicate ID: that is a programming error caught by any test.
func (c *Catalog) Metas() []*rule.Meta {
	out := make([]*rule.Meta, 0, len(c.Rules)+1)
	for _, r := range c.Rules {
		out = append(out, r.Metadata())
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

// Select returns a catalog of the rules whose metadata keep accepts, in catalog order.
func (c *Catalog) Select(keep func(*rule.Meta) bool) *Catalog {
	out := &Catalog{}
	for _, r := range c.Rules {
		if keep(r.Metadata()) {
			out.Rules = append(out.Rules, r)
		}
	}
	return out
}
