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
func perContainer(t *model.TaskDefinition, env *rule.Env, check func(i int, c *ecstypes.ContainerDefinition) rule.Result) []rule.Result {
	out := env.Results(len(t.Def.ContainerDefinitions))
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
func linuxOnly(t *model.TaskDefinition, env *rule.Env, check func(i int, c *ecstypes.ContainerDefinition) rule.Result) []rule.Result {
	if t.Windows() {
		return perContainer(t, env, func(int, *ecstypes.ContainerDefinition) rule.Result {
			return rule.Result{Status: rule.NotApplicable, Detail: "Windows task: the rule applies to Linux containers only"}
		})
	}
	return perContainer(t, env, check)
}

// one returns the single result of a task-level check.
func one(env *rule.Env, r rule.Result) []rule.Result {
	return append(env.Results(1), r)
}

func containerPath(i int, field ...string) string {
	if len(field) == 0 && i >= 0 && i < 8 {
		// Every result of a container rule carries a path: spare the common ones an allocation.
		return [...]string{"containerDefinitions/0", "containerDefinitions/1", "containerDefinitions/2",
			"containerDefinitions/3", "containerDefinitions/4", "containerDefinitions/5", "containerDefinitions/6",
			"containerDefinitions/7"}[i]
	}
	var buf [128]byte
	b := strconv.AppendInt(append(buf[:0], "containerDefinitions/"...), int64(i), 10)
	for _, f := range field {
		b = append(append(b, '/'), f...)
	}
	return string(b)
}

// fieldPath is containerPath(i, field) for one field that results name often, built for the first containers
// once: nearly every failing result of a container rule carries one.
type fieldPath struct {
	field string
	first [8]string
}

func newFieldPath(field string) *fieldPath {
	p := &fieldPath{field: field}
	for i := range p.first {
		p.first[i] = containerPath(i, field)
	}
	return p
}

func (p *fieldPath) at(i int) string {
	if i >= 0 && i < len(p.first) {
		return p.first[i]
	}
	return containerPath(i, p.field)
}

// The fields results name most often; a field may hold a slash ("logConfiguration/logDriver").
var (
	imagePath           = newFieldPath("image")
	userPath            = newFieldPath("user")
	readonlyRootPath    = newFieldPath("readonlyRootFilesystem")
	memoryPath          = newFieldPath("memory")
	privilegedPath      = newFieldPath("privileged")
	logConfigPath       = newFieldPath("logConfiguration")
	logDriverPath       = newFieldPath("logConfiguration/logDriver")
	securityOptionsPath = newFieldPath("dockerSecurityOptions")
	capDropPath         = newFieldPath("linuxParameters/capabilities/drop")
	logModePath         = newFieldPath("logConfiguration/options/mode")
	logOptionsPath      = newFieldPath("logConfiguration/options")
	firstPortPath       = newFieldPath("portMappings/0")
	firstDevicePath     = newFieldPath("linuxParameters/devices/0")
)

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
