// Package taskdef holds the rules over ECS task definitions, one rule per file.
package taskdef

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

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

// detailf formats a result's detail as fmt.Sprintf does, for string arguments and the verbs %s and %q (anything
// else is handed to fmt.Sprintf). Every result of every rule gets a detail, passing ones included, and fmt's
// boxing and reflection were a fifth of the time a task definition's evaluation took.
func detailf(format string, args ...string) string {
	var buf [256]byte
	b, n := buf[:0], 0
	for i := 0; i < len(format); i++ {
		j := strings.IndexByte(format[i:], '%')
		if j < 0 {
			b = append(b, format[i:]...)
			break
		}
		b = append(b, format[i:i+j]...)
		i += j + 1
		if i == len(format) {
			return sprintf(format, args)
		}
		switch format[i] {
		case '%':
			b = append(b, '%')
			continue
		case 's':
			if n == len(args) {
				return sprintf(format, args)
			}
			b = append(b, args[n]...)
		case 'q':
			if n == len(args) {
				return sprintf(format, args)
			}
			b = appendQuote(b, args[n])
		default:
			return sprintf(format, args)
		}
		n++
	}
	if n != len(args) {
		return sprintf(format, args)
	}
	return string(b)
}

// appendQuote appends s quoted as strconv.AppendQuote does; most names are printable ASCII without quotes or
// backslashes, which it leaves as they are, and checking for that is cheaper than its rune-by-rune escaping.
func appendQuote(b []byte, s string) []byte {
	for i := range len(s) {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return strconv.AppendQuote(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// sprintf is fmt.Sprintf over string arguments: what detailf does with a format it does not handle itself.
func sprintf(format string, args []string) string {
	as := make([]any, len(args))
	for i, a := range args {
		as[i] = a
	}
	return fmt.Sprintf(format, as...)
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
