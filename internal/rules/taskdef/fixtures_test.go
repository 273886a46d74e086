package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/testenv/ruletest"
)

func TestFixtures(t *testing.T) { ruletest.Fixtures(t, All(), "testdata") }
