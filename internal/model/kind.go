package model

import "github.com/ecsaudit/ecsaudit/internal/rule"

// Kind is a resource kind, declared once: how reports name it, the resource type Security Hub knows it by, and
// for the kinds the AWS CLI describes as a list, the output key that lists them and how one element becomes a
// resource. A resource's Go type says how it is modelled; its Kind says what it is to everything that handles
// resources without knowing their type (the engine, the publisher, the writers, the loader).
type Kind struct {
	// Name is how reports and logs name the kind.
	Name string
	// ASFFType is the ASFF resource type ("Other" where ASFF has none).
	ASFFType string
	// CLIKey is the key under which the AWS CLI's describe output lists resources of the kind ("services" for
	// `aws ecs describe-services`); empty for kinds read from files some other way.
	CLIKey string
	// FromCLI makes a resource of one element of that list, read with decode (the loader decides how strictly
	// and where errors point); it sets the kind's own fields and Ref.ARN, the loader the rest of the identity.
	FromCLI func(decode func(v any) error) (Resource, error)
}

// The kinds, in the order a batch of resources is evaluated and reported.
var (
	KindTaskDefinition    = &Kind{Name: "task definition", ASFFType: rule.TypeTaskDefinition}
	KindRepository        = &Kind{Name: "repository", ASFFType: rule.TypeRepository}
	KindRegistry          = &Kind{Name: "registry", ASFFType: rule.TypeRegistry}
	KindImage             = &Kind{Name: "image", ASFFType: rule.TypeImage}
	KindImageContents     = &Kind{Name: "image contents", ASFFType: rule.TypeImage}
	KindService           = &Kind{Name: "service", ASFFType: rule.TypeService, CLIKey: "services", FromCLI: serviceFromCLI}
	KindTaskSet           = &Kind{Name: "task set", ASFFType: rule.TypeTaskSet, CLIKey: "taskSets", FromCLI: taskSetFromCLI}
	KindCluster           = &Kind{Name: "cluster", ASFFType: rule.TypeCluster, CLIKey: "clusters", FromCLI: clusterFromCLI}
	KindCapacityProvider  = &Kind{Name: "capacity provider", ASFFType: rule.TypeCapacityProvider, CLIKey: "capacityProviders", FromCLI: capacityProviderFromCLI}
	KindContainerInstance = &Kind{Name: "container instance", ASFFType: rule.TypeContainerInstance, CLIKey: "containerInstances", FromCLI: containerInstanceFromCLI}
)

// Kinds lists every kind in evaluation order.
var Kinds = []*Kind{KindTaskDefinition, KindRepository, KindRegistry, KindImage, KindImageContents,
	KindService, KindTaskSet, KindCluster, KindCapacityProvider, KindContainerInstance}

// CLIKinds lists the kinds the loader reads generically from AWS CLI describe outputs (those with a CLIKey).
func CLIKinds() []*Kind {
	var out []*Kind
	for _, k := range Kinds {
		if k.CLIKey != "" {
			out = append(out, k)
		}
	}
	return out
}
