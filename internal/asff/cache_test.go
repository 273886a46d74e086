package asff

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/report"
	"github.com/ecsaudit/ecsaudit/internal/rule"
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

// TestWriterSharesDetailsExactly checks that the writer, which builds each resource's details once and writes their
// text once, writes what Marshal writes for the same findings built one at a time.
func TestWriterSharesDetailsExactly(t *testing.T) {
	fs := evaluate(t, load.Options{Account: "111122223333", Region: "us-east-1"}, taskJSON, ecrJSON)
	r := &report.Report{Findings: fs, Now: now, Version: "test"}
	var got bytes.Buffer
	if err := (Writer{}).Write(&got, r); err != nil {
		t.Fatal(err)
	}
	p := Params{Version: "test", CreatedAt: now, UpdatedAt: now}
	var want []types.AwsSecurityFinding
	shown := r.Shown()
	for i := range shown {
		if shown[i].Status == rule.NotApplicable {
			continue
		}
		want = append(want, build(t, &shown[i], p))
	}
	wantText, err := Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 10 || !bytes.Equal(got.Bytes(), wantText) {
		t.Errorf("the writer's output (%d bytes) differs from the %d findings marshalled one at a time (%d bytes)",
			got.Len(), len(want), len(wantText))
	}
}
