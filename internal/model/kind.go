package model

import "github.com/ecsaudit/ecsaudit/internal/rule"

// Kind is a resource kind, declared once: how reports name it and the resource type Security Hub knows it by.
// A resource's Go type says how it is modelled; its Kind says what it is to everything that handles resources
// without knowing their type (the engine, the publisher, the writers).
type Kind struct {
	// Name is how reports and logs name the kind.
	Name string
	// ASFFType is the ASFF resource type ("Other" where ASFF has none).
	ASFFType string
}

// The kinds, in the order a batch of resources is evaluated and reported.
var (
	KindTaskDefinition = &Kind{Name: "task definition", ASFFType: rule.TypeTaskDefinition}
	KindRepository     = &Kind{Name: "repository", ASFFType: rule.TypeRepository}
	KindRegistry       = &Kind{Name: "registry", ASFFType: rule.TypeRegistry}
	KindImage          = &Kind{Name: "image", ASFFType: rule.TypeImage}
	KindImageContents  = &Kind{Name: "image contents", ASFFType: rule.TypeImage}
)

// Kinds lists every kind in evaluation order.
var Kinds = []*Kind{KindTaskDefinition, KindRepository, KindRegistry, KindImage, KindImageContents}
