// Package ecs holds the rules over the ECS estate around task definitions: services, task sets, clusters, capacity
// providers and container instances, one rule per file.
package ecs

import (
	"sort"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// ServiceRule is a service rule.
type ServiceRule = rule.Rule[*model.Service]

// TaskSetRule is a task set rule.
type TaskSetRule = rule.Rule[*model.TaskSet]

// ClusterRule is a cluster rule.
type ClusterRule = rule.Rule[*model.Cluster]

// CapacityProviderRule is a capacity provider rule.
type CapacityProviderRule = rule.Rule[*model.CapacityProvider]

// HostRule is a container instance rule.
type HostRule = rule.Rule[*model.ContainerInstance]

var (
	serviceRules  []*ServiceRule
	taskSetRules  []*TaskSetRule
	clusterRules  []*ClusterRule
	providerRules []*CapacityProviderRule
	hostRules     []*HostRule
)

func registerService(r *ServiceRule) *ServiceRule {
	r.ResourceType, r.Level = rule.TypeService, rule.ServiceLevel
	serviceRules = append(serviceRules, r)
	return r
}

func registerTaskSet(r *TaskSetRule) *TaskSetRule {
	r.ResourceType, r.Level = rule.TypeTaskSet, rule.TaskSetLevel
	taskSetRules = append(taskSetRules, r)
	return r
}

func registerCluster(r *ClusterRule) *ClusterRule {
	r.ResourceType, r.Level = rule.TypeCluster, rule.ClusterLevel
	clusterRules = append(clusterRules, r)
	return r
}

func registerProvider(r *CapacityProviderRule) *CapacityProviderRule {
	r.ResourceType, r.Level = rule.TypeCapacityProvider, rule.CapacityProviderLevel
	providerRules = append(providerRules, r)
	return r
}

func registerHost(r *HostRule) *HostRule {
	r.ResourceType, r.Level = rule.TypeContainerInstance, rule.HostLevel
	hostRules = append(hostRules, r)
	return r
}

// ServiceRules returns the service rules sorted by ID.
func ServiceRules() []*ServiceRule { return sorted(serviceRules) }

// TaskSetRules returns the task set rules sorted by ID.
func TaskSetRules() []*TaskSetRule { return sorted(taskSetRules) }

// ClusterRules returns the cluster rules sorted by ID.
func ClusterRules() []*ClusterRule { return sorted(clusterRules) }

// CapacityProviderRules returns the capacity provider rules sorted by ID.
func CapacityProviderRules() []*CapacityProviderRule { return sorted(providerRules) }

// HostRules returns the container instance rules sorted by ID.
func HostRules() []*HostRule { return sorted(hostRules) }

// All returns every rule of the package as checkers, by resource kind and then ID.
func All() []rule.Checker {
	var out []rule.Checker
	for _, r := range ServiceRules() {
		out = append(out, r)
	}
	for _, r := range TaskSetRules() {
		out = append(out, r)
	}
	for _, r := range ClusterRules() {
		out = append(out, r)
	}
	for _, r := range CapacityProviderRules() {
		out = append(out, r)
	}
	for _, r := range HostRules() {
		out = append(out, r)
	}
	return out
}

func sorted[R any](rs []*rule.Rule[R]) []*rule.Rule[R] {
	out := append([]*rule.Rule[R](nil), rs...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func pass(detail string) []rule.Result { return []rule.Result{{Status: rule.Passed, Detail: detail}} }

func fail(detail, path string) []rule.Result {
	return []rule.Result{{Status: rule.Failed, Detail: detail, Path: path}}
}

func notApplicable(detail string) []rule.Result {
	return []rule.Result{{Status: rule.NotApplicable, Detail: detail}}
}

func notAvailable(detail string) []rule.Result {
	return []rule.Result{{Status: rule.NotAvailable, Detail: detail}}
}

// untagged is rule.Untagged as the one result of a rule.
func untagged(tags map[string]string, required []string, path string) []rule.Result {
	return []rule.Result{rule.Untagged(tags, required, path)}
}
