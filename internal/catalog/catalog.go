// Package catalog assembles the shipped rules into the engine's catalog.
package catalog

import (
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/rules/ecr"
	"github.com/ecsaudit/ecsaudit/internal/rules/ecs"
	"github.com/ecsaudit/ecsaudit/internal/rules/image"
	"github.com/ecsaudit/ecsaudit/internal/rules/taskdef"
)

// Default returns every shipped rule: the task definition rules, then the repository, registry and image rules, the image-contents rules, then the
// service, task set, cluster, capacity provider and container instance rules.
func Default() *engine.Catalog {
	var rules []rule.Checker
	for _, r := range taskdef.All() {
		rules = append(rules, r)
	}
	for _, r := range ecr.RepoRules() {
		rules = append(rules, r)
	}
	for _, r := range ecr.RegistryRules() {
		rules = append(rules, r)
	}
	for _, r := range ecr.ImageRules() {
		rules = append(rules, r)
	}
	for _, r := range image.All() {
		rules = append(rules, r)
	}
	rules = append(rules, ecs.All()...)
	return engine.NewCatalog(rules...)
}
