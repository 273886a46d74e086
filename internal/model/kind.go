package model

import (
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

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
	// ARNType is the resource type in the kind's ARNs ("service" in arn:aws:ecs:...:service/cluster/name): a tag
	// change names the resource by ARN alone.
	ARNType string
	// Calls are the CloudTrail records of ECS API calls that change a resource of the kind, and where each names
	// it. TagResource and UntagResource are not listed: they name any kind by ARN (ARNType).
	Calls []Call
}

// Call is one ECS API call that changes a resource of a kind, as CloudTrail records it.
type Call struct {
	// Name is the API call (CloudTrail eventName).
	Name string
	// Response is the dotted path of the resource's ARN in the record's responseElements ("service.serviceArn").
	Response string
	// Deletes says the call removes the resource: its findings are archived instead of re-audited.
	Deletes bool
}

// calls declares the calls that create, change (and with deletes, remove) a resource whose ARN the response holds
// at path.
func calls(path string, changes []string, deletes ...string) []Call {
	var out []Call
	for _, n := range changes {
		out = append(out, Call{Name: n, Response: path})
	}
	for _, n := range deletes {
		out = append(out, Call{Name: n, Response: path, Deletes: true})
	}
	return out
}

// KindOfCall returns the kind an ECS API call changes and how, or nil.
func KindOfCall(name string) (*Kind, *Call) {
	for _, k := range Kinds {
		for i := range k.Calls {
			if k.Calls[i].Name == name {
				return k, &k.Calls[i]
			}
		}
	}
	return nil, nil
}

// KindOfARN returns the kind of an ECS ARN by its resource type, or nil.
func KindOfARN(arn string) *Kind {
	a, ok := ParseARN(arn)
	if !ok || a.Service != "ecs" {
		return nil
	}
	typ, _, _ := strings.Cut(a.Resource, "/")
	for _, k := range Kinds {
		if k.ARNType != "" && k.ARNType == typ {
			return k
		}
	}
	return nil
}

// The kinds, in the order a batch of resources is evaluated and reported.
var (
	KindTaskDefinition = &Kind{Name: "task definition", ASFFType: rule.TypeTaskDefinition}
	KindRepository     = &Kind{Name: "repository", ASFFType: rule.TypeRepository}
	KindRegistry       = &Kind{Name: "registry", ASFFType: rule.TypeRegistry}
	KindImage          = &Kind{Name: "image", ASFFType: rule.TypeImage}
	KindImageContents  = &Kind{Name: "image contents", ASFFType: rule.TypeImage}
	KindService        = &Kind{Name: "service", ASFFType: rule.TypeService, CLIKey: "services", FromCLI: serviceFromCLI,
		ARNType: "service", Calls: calls("service.serviceArn", []string{"CreateService", "UpdateService"}, "DeleteService")}
	KindTaskSet = &Kind{Name: "task set", ASFFType: rule.TypeTaskSet, CLIKey: "taskSets", FromCLI: taskSetFromCLI,
		ARNType: "task-set", Calls: calls("taskSet.taskSetArn", []string{"CreateTaskSet", "UpdateTaskSet"}, "DeleteTaskSet")}
	KindCluster = &Kind{Name: "cluster", ASFFType: rule.TypeCluster, CLIKey: "clusters", FromCLI: clusterFromCLI,
		ARNType: "cluster", Calls: calls("cluster.clusterArn",
			[]string{"CreateCluster", "UpdateCluster", "UpdateClusterSettings", "PutClusterCapacityProviders"}, "DeleteCluster")}
	KindCapacityProvider = &Kind{Name: "capacity provider", ASFFType: rule.TypeCapacityProvider, CLIKey: "capacityProviders",
		FromCLI: capacityProviderFromCLI, ARNType: "capacity-provider", Calls: calls("capacityProvider.capacityProviderArn",
			[]string{"CreateCapacityProvider", "UpdateCapacityProvider"}, "DeleteCapacityProvider")}
	KindContainerInstance = &Kind{Name: "container instance", ASFFType: rule.TypeContainerInstance, CLIKey: "containerInstances",
		FromCLI: containerInstanceFromCLI, ARNType: "container-instance", Calls: calls("containerInstance.containerInstanceArn",
			[]string{"RegisterContainerInstance"}, "DeregisterContainerInstance")}
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
