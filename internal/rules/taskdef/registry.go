// Package taskdef holds the rules over ECS task definitions, one rule per file.
package taskdef

import (
	"sort"
	"strconv"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

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

// perContainer runs check on every container and fills in the container name and, when the check left it empty,
// a path to the container.
func perContainer(t *model.TaskDefinition, check func(i int, c *ecstypes.ContainerDefinition) rule.Result) []rule.Result {
	out := make([]rule.Result, 0, len(t.Def.ContainerDefinitions))
	for i := range t.Def.ContainerDefinitions {
		r := check(i, &t.Def.ContainerDefinitions[i])
		r.Container = t.ContainerName(i)
		if r.Path == "" {
			r.Path = containerPath(i)
		}
		out = append(out, r)
	}
	return out
}

// linuxOnly makes every container NOT_APPLICABLE on a Windows task.
func linuxOnly(t *model.TaskDefinition, check func(i int, c *ecstypes.ContainerDefinition) rule.Result) []rule.Result {
	if t.Windows() {
		return perContainer(t, func(int, *ecstypes.ContainerDefinition) rule.Result {
			return rule.Result{Status: rule.NotApplicable, Detail: "Windows task: the rule applies to Linux containers only"}
		})
	}
	return perContainer(t, check)
}

func containerPath(i int, field ...string) string {
	p := "containerDefinitions/" + strconv.Itoa(i)
	for _, f := range field {
		p += "/" + f
	}
	return p
}

func pass(detail string) rule.Result { return rule.Result{Status: rule.Passed, Detail: detail} }

func fail(detail, path string) rule.Result {
	return rule.Result{Status: rule.Failed, Detail: detail, Path: path}
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
