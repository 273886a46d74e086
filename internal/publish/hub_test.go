package publish

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/asff"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

func sizedFinding(id string, detailBytes, descriptionBytes int) *types.AwsSecurityFinding {
	return &types.AwsSecurityFinding{
		Id:          aws.String(id),
		Description: aws.String(strings.Repeat("d", descriptionBytes)),
		Resources: []types.Resource{{
			Id:      aws.String("r"),
			Details: &types.ResourceDetails{Other: map[string]string{"blob": strings.Repeat("x", detailBytes)}},
		}},
	}
}

func TestBatchesRespectCountAndBytes(t *testing.T) {
	var items []*item
	for i := range 250 {
		items = append(items, &item{finding: sizedFinding(fmt.Sprintf("small-%d", i), 10, 10), rec: &state.Record{}})
	}
	got := batches(items)
	if len(got) != 3 || len(got[0]) != 100 || len(got[1]) != 100 || len(got[2]) != 50 {
		t.Fatalf("250 small findings in batches of %v", lens(got))
	}

	items = nil
	for i := range 60 {
		items = append(items, &item{finding: sizedFinding(fmt.Sprintf("big-%d", i), 200_000, 10), rec: &state.Record{}})
	}
	got = batches(items)
	total := 0
	for _, b := range got {
		size := 0
		for _, it := range b {
			size += asff.Size(*it.finding)
		}
		if size > maxBatchBytes {
			t.Fatalf("a batch of %d bytes", size)
		}
		total += len(b)
	}
	// 30 findings of 200 KB (and their framing) would pass 6 MB.
	if total != 60 || fmt.Sprint(lens(got)) != "[29 29 2]" {
		t.Fatalf("60 findings of 200 KB in batches of %v, want [29 29 2]", lens(got))
	}
}

func TestFitSize(t *testing.T) {
	f := sizedFinding("details", 300_000, 10)
	if err := fitSize(f); err != nil || f.Resources[0].Details != nil || asff.Size(*f) > asff.MaxFindingSize {
		t.Fatalf("oversized details: %v, details kept %v", err, f.Resources[0].Details != nil)
	}
	f = sizedFinding("small", 100, 10)
	if err := fitSize(f); err != nil || f.Resources[0].Details == nil {
		t.Fatalf("a finding under the limit was trimmed: %v", err)
	}
	f = sizedFinding("hopeless", 0, 300_000)
	if err := fitSize(f); !errors.Is(err, errFindingTooLarge) || !strings.Contains(err.Error(), "hopeless") {
		t.Fatalf("got %v, want errFindingTooLarge naming the finding", err)
	}
}

func lens(bs [][]*item) []int {
	var out []int
	for _, b := range bs {
		out = append(out, len(b))
	}
	return out
}
