package asff

import (
	"encoding/json"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/engine"
)

// Resources remembers the description of the last resource Build described, with the size of its details, so
// that the findings of one resource (one per rule and container) share it: describing a task definition and
// measuring the description takes time in proportion to its containers, and doing so for each of its findings
// took time in proportion to their square. The zero value is ready to use; one Resources serves one goroutine.
type Resources struct {
	sub *engine.Subject
	id  identity
	res types.Resource
	// detailsSize is the size of res.Details as compact JSON.
	detailsSize int
}

// describe returns the resource of f, described once for all the findings of its resource in a row.
func (c *Resources) describe(f *engine.Finding, id identity) types.Resource {
	if c == nil {
		return resource(f, id)
	}
	if c.sub != f.Subject || c.id != id {
		c.sub, c.id = f.Subject, id
		c.res = resource(f, id)
		c.detailsSize = valueSize(c.res.Details)
	}
	res := c.res
	return res
}

// size returns Size(*f), measuring the details only when they are not the ones c has measured.
func (c *Resources) size(f *types.AwsSecurityFinding) int {
	d := f.Resources[0].Details
	if c == nil || d == nil || d != c.res.Details {
		return Size(*f)
	}
	f.Resources[0].Details = nil
	n := Size(*f)
	f.Resources[0].Details = d
	if c.detailsSize > len("{}") {
		n += len(`,"Details":`) + c.detailsSize
	}
	return n
}

// valueSize returns the size of v as compact JSON, as Size measures a finding; an empty value counts as "{}".
func valueSize(v *types.ResourceDetails) int {
	if v == nil {
		return len("{}")
	}
	p, ok := plain(reflect.ValueOf(v).Elem(), false)
	if !ok {
		return len("{}")
	}
	data, _ := json.Marshal(p) // maps, lists, strings, finite numbers and booleans always encode
	return len(data)
}
