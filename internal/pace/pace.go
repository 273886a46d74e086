// Package pace paces AWS calls with a token bucket: the sweep's ECS and ECR calls and the publisher's Security Hub
// calls.
package pace

import (
	"context"
	"sync"
	"time"
)

// Pacer is a token bucket shared by every call it paces: Rate calls per second on average, Burst at once. Callers
// reserve their slot under a lock and wait outside it, so concurrent callers together never exceed the rate. A nil
// Pacer, or one with a rate that is not positive, lets every call through at once (the benchmark against the
// emulator lifts the pacing this way). A Pacer is safe for concurrent use.
type Pacer struct {
	rate, burst float64
	// Now and Sleep are the clock; tests replace them.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error

	mu      sync.Mutex
	tokens  float64
	last    time.Time
	started bool
}

// New returns a pacer of rate calls per second with the given burst (at least 1).
func New(rate float64, burst int) *Pacer {
	return &Pacer{rate: rate, burst: float64(max(burst, 1)), Now: time.Now, Sleep: SleepContext}
}

// Rate returns the pacer's sustained rate in calls per second; 0 means unpaced.
func (p *Pacer) Rate() float64 {
	if p == nil || p.rate <= 0 {
		return 0
	}
	return p.rate
}

// Wait blocks until one call may be made and spends its token.
func (p *Pacer) Wait(ctx context.Context) error {
	if p == nil || p.rate <= 0 {
		return ctx.Err()
	}
	p.mu.Lock()
	now := p.Now()
	if !p.started {
		p.tokens, p.last, p.started = p.burst, now, true
	}
	if d := now.Sub(p.last); d > 0 {
		p.tokens = min(p.burst, p.tokens+d.Seconds()*p.rate)
		p.last = now
	}
	// A negative balance is a queue of reservations: each caller waits for the token that pays its own slot.
	p.tokens--
	var wait time.Duration
	if p.tokens < 0 {
		wait = time.Duration(-p.tokens / p.rate * float64(time.Second))
	}
	p.mu.Unlock()
	if wait <= 0 {
		return ctx.Err()
	}
	return p.Sleep(ctx, wait)
}

// SleepContext waits for d or until ctx ends.
func SleepContext(ctx context.Context, d time.Duration) error {
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
