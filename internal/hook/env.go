package hook

import (
	"fmt"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// DefaultBlock is the lowest severity that blocks when HOOK_BLOCK_SEVERITY is not set: the baseline profile's
// risks (HIGH and CRITICAL are reserved for them).
const DefaultBlock = rule.High

// BlockFromEnv reads HOOK_BLOCK_SEVERITY: the lowest severity of a FAILED finding that makes the answer FAILED.
func BlockFromEnv(getenv func(string) string) (rule.Severity, error) {
	v := strings.TrimSpace(getenv("HOOK_BLOCK_SEVERITY"))
	if v == "" {
		return DefaultBlock, nil
	}
	s, err := rule.ParseSeverity(v)
	if err != nil {
		return "", fmt.Errorf("environment variable HOOK_BLOCK_SEVERITY: %w", err)
	}
	return s, nil
}
