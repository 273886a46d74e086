// Package taskdef holds the rules over ECS task definitions, one rule per file.
package taskdef

import (
	"sort"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Rule is a task definition rule.
type Rule = rule.Rule[*model.TaskDefinition]

var all []*Rule

func register(r *Rule) *Rule {
	r.ResourceType = rule.TypeTaskDefinition
	all = append(all, r)
	return r
}

// All returns the task definition rules sorted by ID.
func All() []*Rule {
	out := append([]*Rule(nil), all...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
