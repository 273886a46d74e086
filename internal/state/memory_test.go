package state_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/state"
)

var leaseNow = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func TestMemorySweepsLease(t *testing.T) {
	ctx := context.Background()
	m := state.NewMemorySweeps()
	cp, err := m.Claim(ctx, "k", "a", leaseNow.Add(time.Minute), leaseNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Claim(ctx, "k", "b", leaseNow.Add(time.Minute), leaseNow); !errors.Is(err, state.ErrBusy) {
		t.Errorf("want state.ErrBusy, got %v", err)
	}
	cp.Cursor = "x"
	if err := m.Save(ctx, cp); err != nil {
		t.Fatal(err)
	}
	old := *cp
	old.Version--
	if err := m.Save(ctx, &old); !errors.Is(err, state.ErrLeaseLost) {
		t.Errorf("want state.ErrLeaseLost, got %v", err)
	}
	cp2, err := m.Claim(ctx, "k", "b", leaseNow.Add(2*time.Minute), leaseNow.Add(90*time.Second))
	if err != nil || cp2.Cursor != "x" {
		t.Errorf("after the lease, b takes over where a left: %+v %v", cp2, err)
	}
	if err := m.PutRecords(ctx, []*state.SweepRecord{{Kind: state.KindRevision, ID: "r1", Account: "1", Region: "r"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.Records(ctx, state.KindRevision, "1", "r"); got["r1"] == nil {
		t.Error("record not kept")
	}
	if got, _ := m.Records(ctx, state.KindRevision, "2", "r"); len(got) != 0 {
		t.Error("records are per account")
	}
}
