package audit

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/publish"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/sweep"
)

// OpenResources is implemented by sinks that remember which resources have open findings; the sweep archives the
// findings of those it no longer finds.
type OpenResources interface {
	OpenResources(ctx context.Context) ([]string, error)
}

// SweepConfig is what a sweep needs beyond the Service's own fields. The zero value sweeps the Service's account and
// region with the defaults of sweep.Options (Mode taken from RevisionMode), without continuation.
type SweepConfig struct {
	Options sweep.Options
	// Continue starts the next invocation when the budget is spent (lambdafn.Continuer in Lambda).
	Continue sweep.Continuer
	// Members are other accounts to sweep through a role in each; nil for none. Their Sink may be MemberSink.
	Members *sweep.Members
}

// sweep audits everything in the account and region with the scalable sweep (package sweep), configured by
// s.SweepConfig. Without one, the Service does not know whether its publisher reports passes, so resources whose
// results all pass are handed to it too (it skips what it does not report).
func (s *Service) sweep(ctx context.Context, _ *invocation) error {
	cfg := SweepConfig{Options: sweep.Options{ReportPasses: true}}
	if s.SweepConfig != nil {
		cfg = *s.SweepConfig
	}
	_, err := s.Sweep(ctx, cfg)
	return err
}

// Sweep runs one invocation of the sweep: the Service's account and region first, then cfg's member accounts.
// Findings are published as the sweep goes, in batches of revisions, through the Service's sink (a batch with new
// failures sends its notification); the sweep's records and checkpoint live in the state table of the image-use
// index.
func (s *Service) Sweep(ctx context.Context, cfg SweepConfig) (sweep.Result, error) {
	opts := cfg.Options
	if opts.Mode == "" {
		opts.Mode = s.RevisionMode
	}
	sw := &sweep.Sweeper{
		Engine: s.Engine, Index: s.Index, Metrics: s.Metrics, Log: s.Log, Now: s.Now,
		Continue: cfg.Continue, Options: opts, Store: s.sweepStore(),
	}
	targets := []sweep.Target{{
		Account: s.Source.Account, Region: s.Source.Region, Partition: s.Source.Partition,
		Source: s.Source, Sink: s.sweepSink(s.Sink),
	}}
	if cfg.Members != nil {
		members, err := cfg.Members.Targets()
		if err != nil {
			return sweep.Result{}, fmt.Errorf("sweep: %w", err)
		}
		targets = append(targets, members...)
	}
	res, err := sw.Run(ctx, targets)
	if len(res.Unavailable) > 0 {
		s.Log.Warn("sweep: revisions not available (not described after every retry); the next sweep tries them again",
			"count", len(res.Unavailable), "first", res.Unavailable[0].ID)
	}
	s.Log.Info("sweep invocation done", "done", res.Done, "continued", res.Continued, "busy", res.Busy,
		"described", res.Stats.Described, "reused", res.Stats.Reused, "imageChanged", res.Stats.ImageChanged,
		"notAvailable", res.Stats.NotAvailable, "imagesPublished", res.Stats.ImagesPublished,
		"repositoriesRead", res.Stats.RepositoriesRead, "archived", res.Stats.Archived)
	if err != nil {
		return res, fmt.Errorf("sweep: %w", err)
	}
	return res, nil
}

// sweepStore keeps the sweep's records in the state table of the image-use index, and in memory without one: then
// every sweep describes everything, as the first one does.
func (s *Service) sweepStore() sweep.Store {
	if s.Index != nil {
		return &state.Sweeps{DB: s.Index.DB, Table: s.Index.Table}
	}
	s.Log.Warn("sweep records kept in memory only: every sweep describes every revision")
	return state.NewMemorySweeps()
}

// MemberSink returns, for sweep.Members, the sink of a member account: a publisher writing to that account's
// Security Hub with the account's assumed role (the only way Security Hub accepts its findings), sharing the state
// table and the notifier of the Service's HubSink. opts are the publisher options of the Service's own publisher;
// Account is replaced by the member's.
func (s *Service) MemberSink(opts publish.Options) func(account string, cfg aws.Config) (sweep.Sink, error) {
	return func(account string, cfg aws.Config) (sweep.Sink, error) {
		home, ok := s.Sink.(*HubSink)
		if !ok {
			return nil, errors.New("member accounts need the Security Hub sink")
		}
		o := opts
		o.Account, o.Region = account, cfg.Region
		pub := publish.New(securityhub.NewFromConfig(cfg), home.State, o)
		return s.sweepSink(&HubSink{Publisher: pub, Notifier: home.Notifier, Baseline: home.Baseline, Account: account,
			Region: cfg.Region, State: home.State, Log: home.Log.With("account", account)}), nil
	}
}

// sweepSink adapts a Sink to the sweep's batches: each batch goes through the sink's own Publish (publish, archive,
// notify), as an event's batch does. A notification that fails fails the batch, so its revisions are not recorded
// and the next sweep publishes (and announces) them again.
//
// The first full sweep of an account and region is its baseline (HubSink.Baseline): its findings are recorded as
// notified without a message. A sweep spans many batches and possibly several invocations, so the sweep, not each
// batch, decides: every batch of a sweep that started before the baseline was recorded uses the Baseline notifier,
// and the marker is written once the whole sweep is done (Flush).
func (s *Service) sweepSink(sink Sink) sweep.Sink {
	return &sweepSink{s: s, sink: sink}
}

type sweepSink struct {
	s    *Service
	sink Sink
	// baseline is nil until read: whether this sweep is the silent first one.
	baseline *bool
}

// Publish implements sweep.Sink.
func (k *sweepSink) Publish(ctx context.Context, evaluated []publish.Evaluated, archived []string) error {
	if k.s.MinSeverity != "" {
		kept := make([]publish.Evaluated, len(evaluated))
		for i, ev := range evaluated {
			kept[i] = ev
			kept[i].Findings = k.s.aboveMinSeverity(ev.Findings)
		}
		evaluated = kept
	}
	b := &Batch{Evaluated: evaluated, Archived: archived}
	h, ok := k.sink.(*HubSink)
	if !ok {
		k.s.count(b)
		return k.sink.Publish(ctx, b)
	}
	baseline, err := k.isBaseline(ctx, h)
	if err != nil {
		return err
	}
	k.s.count(b)
	one := *h
	if baseline {
		one.Notifier = h.Baseline
	}
	// The batch is not marked Sweep: the marker is this adapter's to write, when the sweep is done.
	one.Baseline = nil
	return one.Publish(ctx, b)
}

// aboveMinSeverity drops the FAILED and SUPPRESSED findings below MinSeverity, as add does for an event's findings.
func (s *Service) aboveMinSeverity(fs []engine.Finding) []engine.Finding {
	kept := make([]engine.Finding, 0, len(fs))
	for _, f := range fs {
		if (f.Status == rule.Failed || f.Status == rule.Suppressed) && !f.Severity.AtLeast(s.MinSeverity) {
			continue
		}
		kept = append(kept, f)
	}
	return kept
}

func (k *sweepSink) isBaseline(ctx context.Context, h *HubSink) (bool, error) {
	if h.Baseline == nil || h.State == nil {
		return false, nil
	}
	if k.baseline == nil {
		done, err := h.State.BaselineDone(ctx, h.Account, h.Region)
		if err != nil {
			return false, err
		}
		first := !done
		k.baseline = &first
	}
	return *k.baseline, nil
}

// Flush implements sweep.Flusher: once the sweep is done, a baseline sweep records the baseline.
func (k *sweepSink) Flush(ctx context.Context, done bool) error {
	h, ok := k.sink.(*HubSink)
	if !ok || !done {
		return nil
	}
	baseline, err := k.isBaseline(ctx, h)
	if err != nil || !baseline {
		return err
	}
	if err := h.State.MarkBaseline(ctx, h.Account, h.Region, k.s.Now()); err != nil {
		return err
	}
	first := false
	k.baseline = &first
	h.Log.Info("first full sweep recorded as the baseline: its findings were not notified")
	return nil
}

// OpenResources implements sweep.OpenResources: the sink's own, or sweep.ErrNoState when it keeps no state.
func (k *sweepSink) OpenResources(ctx context.Context) ([]string, error) {
	if o, ok := k.sink.(OpenResources); ok {
		return o.OpenResources(ctx)
	}
	return nil, sweep.ErrNoState
}
