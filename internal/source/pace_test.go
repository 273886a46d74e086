package source

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/smithy-go"

	"github.com/ecsaudit/ecsaudit/internal/pace"
)

// fakeClock advances only when someone sleeps on it.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
		c.slept += d
	}
	return nil
}

// scriptedECS answers DescribeTaskDefinition with the queued errors first, then success.
type scriptedECS struct {
	ECSAPI
	errs  []error
	calls int
	opts  int
}

func (s *scriptedECS) DescribeTaskDefinition(_ context.Context, _ *ecs.DescribeTaskDefinitionInput, opts ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error) {
	s.calls++
	s.opts = len(opts)
	if len(s.errs) > 0 {
		err := s.errs[0]
		s.errs = s.errs[1:]
		return nil, err
	}
	return &ecs.DescribeTaskDefinitionOutput{}, nil
}

func throttled() error {
	return &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
}

func TestPacedRetriesThrottlingWithATokenPerAttempt(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
	p := pace.New(1, 1)
	p.Now, p.Sleep = clock.Now, clock.Sleep
	api := &scriptedECS{errs: []error{throttled(), throttled()}}
	var retried []string
	paced := &PacedECS{API: api, Pacer: p, Retry: Retry{Base: time.Millisecond, Sleep: func(context.Context, time.Duration) error { return nil },
		OnRetry: func(op string, _ error) { retried = append(retried, op) }}}
	if _, err := paced.DescribeTaskDefinition(context.Background(), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web:1")}); err != nil {
		t.Fatalf("throttled twice, then answered: want success, got %v", err)
	}
	if api.calls != 3 || len(retried) != 2 || retried[0] != "ecs:DescribeTaskDefinition" {
		t.Errorf("calls %d, retries %v", api.calls, retried)
	}
	// Three attempts at 1 per second with a burst of 1: the pacer made the last two wait a second each.
	if clock.slept != 2*time.Second {
		t.Errorf("pacer waited %v for three attempts at 1/s, want 2s", clock.slept)
	}
	if api.opts != 1 {
		t.Errorf("the SDK's own retries must be turned off for paced calls (one option added), got %d options", api.opts)
	}
}

func TestPacedGivesUpAfterMaxAttemptsAndNeverRetriesClientErrors(t *testing.T) {
	noWait := func(context.Context, time.Duration) error { return nil }
	api := &scriptedECS{errs: []error{throttled(), throttled(), throttled(), throttled()}}
	paced := &PacedECS{API: api, Retry: Retry{MaxAttempts: 3, Sleep: noWait}}
	_, err := paced.DescribeTaskDefinition(context.Background(), &ecs.DescribeTaskDefinitionInput{})
	if err == nil || api.calls != 3 {
		t.Errorf("want the throttling error after 3 attempts, got %v after %d", err, api.calls)
	}
	missing := &smithy.GenericAPIError{Code: "ClientException", Message: "Unable to describe task definition."}
	api = &scriptedECS{errs: []error{missing}}
	paced = &PacedECS{API: api, Retry: Retry{Sleep: noWait}}
	if _, err := paced.DescribeTaskDefinition(context.Background(), &ecs.DescribeTaskDefinitionInput{}); err == nil || api.calls != 1 {
		t.Errorf("a ClientException is not retried: got %v after %d calls", err, api.calls)
	}
}
