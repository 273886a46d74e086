package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/metrics"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

// Sink publishes what an audit of one account and region produced: an event's batch and a sweep's alike. It
// imports the findings into Security Hub with their lifecycle (Publisher), archives the findings of removed
// resources, announces new failures on SNS (Notifier) once Security Hub accepted them, and counts the findings in
// the metrics. A member account's sink is a Sink with that account's Publisher.
//
// The first full sweep of an account and region is its baseline when Baseline is set: its findings are recorded as
// notified without a message, so installing the auditor sends no flood. A sweep spans many batches and possibly
// several invocations, so the sweep, not each batch, decides: every batch of a sweep that started before the
// baseline was recorded uses the Baseline notifier, and the marker is written once the whole sweep is done (Flush).
type Sink struct {
	Publisher *Publisher
	// Notifier is nil when no topic is configured.
	Notifier *Notifier
	// Baseline, when set, takes the Notifier's place for the batches of the first full sweep.
	Baseline *Notifier
	State    *state.Store
	// Metrics counts the findings published; nil for none.
	Metrics *metrics.Recorder
	Log     *slog.Logger

	mu sync.Mutex
	// first is nil until read: whether the sweep under way is the silent first one.
	first *bool
}

// Publish implements sweep.Sink. Findings are published before anything is archived, and notifications go out only
// after Security Hub accepted the findings they announce. A notification that fails fails the batch: a sweep then
// does not record the batch's resources, and the next sweep publishes (and announces) them again.
func (s *Sink) Publish(ctx context.Context, b engine.Batch) error {
	n := s.Notifier
	if b.Sweep {
		first, err := s.firstSweep(ctx)
		if err != nil {
			return err
		}
		if first {
			n = s.Baseline
		}
	}
	s.count(b)
	var errs []error
	evaluated := b.Evaluated
	if !b.ObservedAt.IsZero() {
		evaluated = make([]engine.Evaluated, len(b.Evaluated))
		for i, e := range b.Evaluated {
			if e.ObservedAt.IsZero() {
				e.ObservedAt = b.ObservedAt
			}
			evaluated[i] = e
		}
	}
	out, err := s.Publisher.Publish(ctx, evaluated)
	if err != nil {
		errs = append(errs, fmt.Errorf("publish findings: %w", err))
	}
	s.Log.Info("findings published", "created", out.Created, "updated", out.Updated, "resolved", out.Resolved,
		"archived", out.Archived, "reopened", out.Reopened, "unchanged", out.Unchanged, "skipped", out.Skipped,
		"stale", out.Stale, "failed", len(out.Failed))
	if len(b.Archived) > 0 {
		arch, err := s.Publisher.ArchiveResourcesAt(ctx, b.Archived, b.ObservedAt)
		if err != nil {
			errs = append(errs, fmt.Errorf("archive findings: %w", err))
		}
		s.Log.Info("findings of removed resources archived", "resources", len(b.Archived), "archived", arch.Archived)
	}
	if n != nil && len(out.Notify) > 0 {
		res, err := n.Notify(ctx, out.Notify)
		if err != nil {
			errs = append(errs, fmt.Errorf("notify: %w", err))
		}
		s.Log.Info("notifications sent", "messages", res.Messages, "notified", len(res.Notified), "baselined", len(res.Baselined))
	}
	return errors.Join(errs...)
}

// OpenResources implements sweep.OpenResources.
func (s *Sink) OpenResources(ctx context.Context) ([]string, error) {
	return s.State.OpenResources(ctx)
}

// Flush implements sweep.Flusher: at the end of each invocation of a sweep, a first sweep that is done records the
// baseline. The next invocation reads the marker again.
func (s *Sink) Flush(ctx context.Context, done bool) error {
	defer s.forget()
	if !done {
		return nil
	}
	first, err := s.firstSweep(ctx)
	if err != nil || !first {
		return err
	}
	o := s.Publisher.opts
	if err := s.State.MarkBaseline(ctx, o.Account, o.Region, o.Now()); err != nil {
		return err
	}
	s.Log.Info("first full sweep recorded as the baseline: its findings were not notified")
	return nil
}

// firstSweep reports whether the sweep under way is the first full one, reading the marker once per invocation.
func (s *Sink) firstSweep(ctx context.Context) (bool, error) {
	if s.Baseline == nil || s.State == nil {
		return false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.first == nil {
		o := s.Publisher.opts
		done, err := s.State.BaselineDone(ctx, o.Account, o.Region)
		if err != nil {
			return false, err
		}
		first := !done
		s.first = &first
	}
	return *s.first, nil
}

func (s *Sink) forget() {
	s.mu.Lock()
	s.first = nil
	s.mu.Unlock()
}

// count adds the batch's findings to the metrics: FAILED ones by severity, and NOT_AVAILABLE results.
func (s *Sink) count(b engine.Batch) {
	if s.Metrics == nil {
		return
	}
	for _, ev := range b.Evaluated {
		for _, f := range ev.Findings {
			switch f.Status {
			case rule.Failed:
				s.Metrics.Add("Findings"+titleCase(string(f.Severity)), 1)
			case rule.NotAvailable:
				s.Metrics.Add("NotAvailableResults", 1)
			}
		}
	}
}

// titleCase turns an upper-case severity into the case of a metric name ("HIGH" becomes "High").
func titleCase(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	for i := 1; i < len(b); i++ {
		if b[i] >= 'A' && b[i] <= 'Z' {
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
}
