package taskdef

import (
	"strings"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

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

func inapplicable(detail string) rule.Result {
	return rule.Result{Status: rule.NotApplicable, Detail: detail}
}

func unavailable(detail string) rule.Result {
	return rule.Result{Status: rule.NotAvailable, Detail: detail}
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
func containerImage(c *ecstypes.ContainerDefinition) string { return strings.TrimSpace(str(c.Image)) }

// noImage is the result of an image rule for a container that names no image: nothing to judge, and nothing
// that may be reported as passing.
func noImage(env *rule.Env, name string) rule.Result {
	return unavailable(env.Detailf("container %q names no image", name))
}
