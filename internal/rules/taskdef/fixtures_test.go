package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rules/ruletest"
)

func TestFixtures(t *testing.T) { ruletest.Fixtures(t, All(), "testdata") }
