package asff

import (
	"reflect"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/load"
)

// TestResourcesBuildTheSameFindings checks that describing a resource once for all its findings changes nothing:
// each finding equals the one Build makes on its own, and the sizes fit measures are exact.
func TestResourcesBuildTheSameFindings(t *testing.T) {
	fs := evaluate(t, load.Options{}, taskJSON, ecrJSON)
	p := Params{Version: "test", UpdatedAt: now, Account: "111122223333", Region: "us-east-1"}
	cached := p
	cached.Resources = &Resources{}
	for i := range fs {
		want := build(t, &fs[i], p)
		got := build(t, &fs[i], cached)
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("finding %s differs when its resource is described once", fs[i].ID())
		}
		if n, m := cached.Resources.size(&got), Size(got); n != m {
			t.Fatalf("finding %s: measured %d bytes, Size says %d", fs[i].ID(), n, m)
		}
	}
}
