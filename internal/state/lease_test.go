package state_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/ecsaudit/ecsaudit/internal/state"
)

// lostAnswer applies the first PutItem, loses its answer and lets the SDK's retry fail its own condition, as
// DynamoDB answers a retried conditional write that was already applied.
type lostAnswer struct {
	*dynamodb.Client
	lost bool
}

func (l *lostAnswer) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	out, err := l.Client.PutItem(ctx, in, opts...)
	if err != nil || l.lost {
		return out, err
	}
	l.lost = true
	_, err = l.Client.PutItem(ctx, in, opts...)
	if err == nil {
		return nil, errors.New("fixture: the repeated write did not fail its condition")
	}
	return nil, err
}

func TestClaimWhoseAnswerWasLostIsOurs(t *testing.T) {
	_, db := newStore(t)
	ctx := context.Background()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	sweeps := &state.Sweeps{DB: &lostAnswer{Client: db}, Table: "state"}
	cp, err := sweeps.Claim(ctx, "SWEEP#k", "owner-a", now.Add(time.Minute), now)
	if err != nil {
		t.Fatalf("a claim whose answer was lost: %v, want it recognised as ours", err)
	}
	if cp.Version != 1 || cp.Owner != "owner-a" {
		t.Errorf("checkpoint %+v", cp)
	}
	other := &state.Sweeps{DB: db, Table: "state"}
	if _, err := other.Claim(ctx, "SWEEP#k", "owner-b", now.Add(time.Minute), now); !errors.Is(err, state.ErrBusy) {
		t.Errorf("another owner's claim: %v, want ErrBusy", err)
	}
}
