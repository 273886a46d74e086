package load

import "github.com/ecsaudit/ecsaudit/internal/model"

// Resources returns every resource of the set in evaluation order: task definitions, repositories, registries,
// images, then the kinds read from AWS CLI describe outputs, each in input order.
func (s *Set) Resources() []model.Resource {
	out := make([]model.Resource, 0, len(s.Tasks)+len(s.Repos)+len(s.Registries)+len(s.Images)+len(s.Described))
	for _, t := range s.Tasks {
		out = append(out, t)
	}
	for _, r := range s.Repos {
		out = append(out, r)
	}
	for _, g := range s.Registries {
		out = append(out, g)
	}
	for _, i := range s.Images {
		out = append(out, i)
	}
	return append(out, s.Described...)
}
