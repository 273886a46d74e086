package publish

import (
	"context"
	"time"
)

// bucket is a token bucket: rate calls per second on average, burst calls at once. Its clock and sleep are
// injectable so that tests can check the pacing without waiting.
type bucket struct {
	rate    float64
	burst   float64
	tokens  float64
	last    time.Time
	started bool
	now     func() time.Time
	sleep   func(context.Context, time.Duration) error
}

func newBucket(rate float64, burst int, now func() time.Time, sleep func(context.Context, time.Duration) error) *bucket {
	return &bucket{rate: rate, burst: float64(burst), now: now, sleep: sleep}
}

// take waits, if needed, until a call may be made, and spends one token.
func (b *bucket) take(ctx context.Context) error {
	now := b.now()
	if !b.started {
		b.tokens, b.last, b.started = b.burst, now, true
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(b.burst, b.tokens+elapsed.Seconds()*b.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return nil
	}
	wait := time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
	if err := b.sleep(ctx, wait); err != nil {
		return err
	}
	// The token that accrued during the wait is the one spent now.
	b.tokens = 0
	b.last = now.Add(wait)
	return nil
}

// sleepContext waits for d or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
