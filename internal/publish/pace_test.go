package publish

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/asff"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

func TestBucketPacesAtRateWithBurst(t *testing.T) {
	clock := &fakeClock{t: start}
	b := newBucket(10, 30, clock.Now, clock.Sleep)
	ctx := context.Background()
	for range 40 {
		if err := b.take(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// 30 at once, then one every 100 ms.
	if len(clock.slept) != 10 {
		t.Fatalf("slept %d times for 40 calls, want 10: %v", len(clock.slept), clock.slept)
	}
	for _, d := range clock.slept {
		if d < 99*time.Millisecond || d > 101*time.Millisecond {
			t.Fatalf("waits %v, want 100 ms each", clock.slept)
		}
	}
	if elapsed := clock.Now().Sub(start); elapsed < 999*time.Millisecond || elapsed > 1001*time.Millisecond {
		t.Fatalf("40 calls took %v, want 1 s", elapsed)
	}

	// After 2 s idle the bucket holds 20 tokens, not more than it did: 20 calls pass at once, the 21st waits.
	clock.Advance(2 * time.Second)
	clock.slept = nil
	for range 21 {
		if err := b.take(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(clock.slept) != 1 {
		t.Fatalf("after 2 s idle: slept %v, want one wait", clock.slept)
	}

	// A long idle period refills only up to the burst.
	clock.Advance(time.Hour)
	clock.slept = nil
	for range 31 {
		if err := b.take(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(clock.slept) != 1 {
		t.Fatalf("after an hour idle: slept %v, want the 31st call only", clock.slept)
	}
}

func TestBucketStopsWithContext(t *testing.T) {
	b := newBucket(1, 1, time.Now, sleepContext)
	ctx, cancel := context.WithCancel(context.Background())
	if err := b.take(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := b.take(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

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
	if err := fitSize(f); !errors.Is(err, ErrFindingTooLarge) || !strings.Contains(err.Error(), "hopeless") {
		t.Fatalf("got %v, want ErrFindingTooLarge naming the finding", err)
	}
}

func lens(bs [][]*item) []int {
	var out []int
	for _, b := range bs {
		out = append(out, len(b))
	}
	return out
}
