package ecs

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/testenv/ruletest"
)

func TestServiceFixtures(t *testing.T)  { ruletest.Fixtures(t, ServiceRules(), "testdata") }
func TestTaskSetFixtures(t *testing.T)  { ruletest.Fixtures(t, TaskSetRules(), "testdata") }
func TestClusterFixtures(t *testing.T)  { ruletest.Fixtures(t, ClusterRules(), "testdata") }
func TestProviderFixtures(t *testing.T) { ruletest.Fixtures(t, CapacityProviderRules(), "testdata") }
func TestHostFixtures(t *testing.T)     { ruletest.Fixtures(t, HostRules(), "testdata") }
