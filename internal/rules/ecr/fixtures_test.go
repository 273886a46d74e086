package ecr

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/testenv/ruletest"
)

func TestRepoFixtures(t *testing.T)     { ruletest.Fixtures(t, RepoRules(), "testdata") }
func TestRegistryFixtures(t *testing.T) { ruletest.Fixtures(t, RegistryRules(), "testdata") }
func TestImageFixtures(t *testing.T)    { ruletest.Fixtures(t, ImageRules(), "testdata") }
