// Package catalog assembles the shipped rules into the engine's catalog.
package catalog

import (
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/rules/ecr"
	"github.com/ecsaudit/ecsaudit/internal/rules/taskdef"
)

// Default returns every shipped rule.
func Default() *engine.Catalog {
	return &engine.Catalog{
		Tasks:      taskdef.All(),
		Repos:      ecr.RepoRules(),
		Registries: ecr.RegistryRules(),
		Images:     ecr.ImageRules(),
	}
}
