package pace

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// fakeClock advances only when someone sleeps on it, and records each wait.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.waits = append(c.waits, d)
	return nil
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.waits = nil
}

func (c *fakeClock) total() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var sum time.Duration
	for _, d := range c.waits {
		sum += d
	}
	return sum
}

func paced(rate float64, burst int) (*Pacer, *fakeClock) {
	clock := &fakeClock{now: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
	p := New(rate, burst)
	p.Now, p.Sleep = clock.Now, clock.Sleep
	return p, clock
}

func waitN(t *testing.T, p *Pacer, n int) {
	t.Helper()
	for range n {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPacerHoldsTheRateAfterTheBurst(t *testing.T) {
	p, clock := paced(10, 30)
	waitN(t, p, 40)
	// 30 at once, then one every 100 ms.
	if len(clock.waits) != 10 {
		t.Fatalf("waited %d times for 40 calls, want 10: %v", len(clock.waits), clock.waits)
	}
	for _, d := range clock.waits {
		if d < 99*time.Millisecond || d > 101*time.Millisecond {
			t.Fatalf("waits %v, want 100 ms each", clock.waits)
		}
	}
	if got := p.Rate(); got != 10 {
		t.Errorf("Rate() = %v", got)
	}

	// After 2 s idle the bucket holds 20 tokens: 20 calls pass at once, the 21st waits.
	clock.advance(2 * time.Second)
	waitN(t, p, 21)
	if len(clock.waits) != 1 {
		t.Fatalf("after 2 s idle: waits %v, want one", clock.waits)
	}

	// A long idle period refills only up to the burst.
	clock.advance(time.Hour)
	waitN(t, p, 31)
	if len(clock.waits) != 1 {
		t.Fatalf("after an hour idle: waits %v, want the 31st call's only", clock.waits)
	}
}

func TestPacerSmallBurst(t *testing.T) {
	p, clock := paced(10, 5)
	waitN(t, p, 25)
	// 5 calls from the burst, 20 more at 10 per second: 2 seconds.
	if got := clock.total(); got < 1990*time.Millisecond || got > 2010*time.Millisecond {
		t.Errorf("25 calls at 10/s with a burst of 5 waited %v, want 2s", got)
	}
}

func TestPacerConcurrentCallersShareTheRate(t *testing.T) {
	p := New(200, 1)
	start := time.Now()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if err := p.Wait(context.Background()); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	// 80 calls at 200 per second after a burst of 1: at least 395 ms, whatever the number of callers.
	if d := time.Since(start); d < 390*time.Millisecond {
		t.Errorf("80 calls by 8 callers took %v: the pace was exceeded", d)
	}
}

func TestPacerStopsWithContext(t *testing.T) {
	p := New(1, 1)
	ctx, cancel := context.WithCancel(context.Background())
	if err := p.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := p.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestUnpacedPacerNeverWaits(t *testing.T) {
	var p *Pacer
	ctx, cancel := context.WithCancel(context.Background())
	if err := p.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := p.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled context should stop even an unpaced call: %v", err)
	}
}
