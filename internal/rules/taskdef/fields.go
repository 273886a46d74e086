package taskdef

import (
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// envSettings returns the settings a check runs with; a nil Env (a caller that passes none) gets the defaults
// rather than a nil dereference.
func envSettings(env *rule.Env) *rule.Settings {
	if env == nil || env.Settings == nil {
		return rule.DefaultSettings()
	}
	return env.Settings
}

// securityOption splits a dockerSecurityOptions entry into its lower-cased key and value. Docker reads both
// "key=value" and the older "key:value", so both are accepted; a value keeps any further colons ("type:spc_t").
func securityOption(opt string) (key, value string) {
	opt = strings.ToLower(strings.TrimSpace(opt))
	i := strings.IndexAny(opt, "=:")
	if i < 0 {
		return opt, ""
	}
	return opt[:i], opt[i+1:]
}

// containerImage returns a container's image reference as written, trimmed.
func containerImage(c *ecstypes.ContainerDefinition) string {
	return strings.TrimSpace(aws.ToString(c.Image))
}

// networkModeLabel names the task's network mode for a detail, saying what an unset mode means.
func networkModeLabel(t *model.TaskDefinition) string {
	if t.Def.NetworkMode == "" {
		return "not set (bridge on Linux, default on Windows)"
	}
	return string(t.Def.NetworkMode)
}

// taskLimit returns a task-level cpu or memory value, or "" when it is absent, blank or zero (which set no limit).
func taskLimit(p *string) string {
	v := strings.TrimSpace(aws.ToString(p))
	if v == "0" {
		return ""
	}
	return v
}

// appendNew appends s unless list already holds it, keeping the order of first appearance for details.
func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
