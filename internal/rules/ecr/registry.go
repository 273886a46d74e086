// Package ecr holds the rules over ECR repositories, registries and images, one rule per file.
package ecr

import (
	"sort"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// RepoRule is a repository rule.
type RepoRule = rule.Rule[*model.Repository]

// RegistryRule is a registry rule.
type RegistryRule = rule.Rule[*model.Registry]

// ImageRule is an image rule.
type ImageRule = rule.Rule[*model.Image]

var (
	repoRules     []*RepoRule
	registryRules []*RegistryRule
	imageRules    []*ImageRule
)

func registerRepo(r *RepoRule) *RepoRule {
	r.ResourceType, r.Level = rule.TypeRepository, rule.RepositoryLevel
	repoRules = append(repoRules, r)
	return r
}

func registerRegistry(r *RegistryRule) *RegistryRule {
	r.ResourceType, r.Level = rule.TypeRegistry, rule.RegistryLevel
	registryRules = append(registryRules, r)
	return r
}

func registerImage(r *ImageRule) *ImageRule {
	r.ResourceType, r.Level = rule.TypeImage, rule.ImageLevel
	imageRules = append(imageRules, r)
	return r
}

// RepoRules returns the repository rules sorted by ID.
func RepoRules() []*RepoRule { return sorted(repoRules) }

// RegistryRules returns the registry rules sorted by ID.
func RegistryRules() []*RegistryRule { return sorted(registryRules) }

// ImageRules returns the image rules sorted by ID.
func ImageRules() []*ImageRule { return sorted(imageRules) }

func sorted[R any](rs []*rule.Rule[R]) []*rule.Rule[R] {
	out := append([]*rule.Rule[R](nil), rs...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func pass(detail string) []rule.Result { return []rule.Result{{Status: rule.Passed, Detail: detail}} }

func fail(detail, path string) []rule.Result {
	return []rule.Result{{Status: rule.Failed, Detail: detail, Path: path}}
}

func notAvailable(detail string) []rule.Result {
	return []rule.Result{{Status: rule.NotAvailable, Detail: detail}}
}
