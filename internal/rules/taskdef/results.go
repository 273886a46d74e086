package taskdef

import (
	"fmt"
	"strconv"
	"strings"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

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

// linuxOnly makes every container NOT_APPLICABLE on a Windows task (see taskOS), saying why the task is Windows.
func linuxOnly(t *model.TaskDefinition, check func(i int, c *ecstypes.ContainerDefinition) rule.Result) []rule.Result {
	if fam := taskOS(t); fam.windows {
		return perContainer(t, func(int, *ecstypes.ContainerDefinition) rule.Result {
			return inapplicable("Windows task (" + fam.why + "): the rule applies to Linux containers only")
		})
	}
	return perContainer(t, check)
}

// one returns the single result of a task-level check.
func one(r rule.Result) []rule.Result {
	return []rule.Result{r}
}

// windowsOnly makes every container NOT_APPLICABLE on a Linux task; the mirror of linuxOnly.
func windowsOnly(t *model.TaskDefinition, check func(i int, c *ecstypes.ContainerDefinition) rule.Result) []rule.Result {
	if !taskOS(t).windows {
		return perContainer(t, func(int, *ecstypes.ContainerDefinition) rule.Result {
			return rule.Result{Status: rule.NotApplicable, Detail: "Linux task: the rule applies to Windows containers only"}
		})
	}
	return perContainer(t, check)
}

// containerPath is the path of container i, or of a field under it ("image", or "linuxParameters", "devices", "0").
func containerPath(i int, field ...string) string {
	return strings.Join(append([]string{"containerDefinitions", strconv.Itoa(i)}, field...), "/")
}

func pass(detail string) rule.Result { return rule.Result{Status: rule.Passed, Detail: detail} }

func fail(detail, path string) rule.Result {
	return rule.Result{Status: rule.Failed, Detail: detail, Path: path}
}

func inapplicable(detail string) rule.Result {
	return rule.Result{Status: rule.NotApplicable, Detail: detail}
}

func unavailable(detail string) rule.Result {
	return rule.Result{Status: rule.NotAvailable, Detail: detail}
}

// noImage is the result of an image rule for a container that names no image: nothing to judge, and nothing
// that may be reported as passing.
func noImage(name string) rule.Result {
	return unavailable(fmt.Sprintf("container %q names no image", name))
}
