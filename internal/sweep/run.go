package sweep

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/pace"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/source"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

// run is one invocation's state.
type run struct {
	s          *Sweeper
	start      time.Time
	deadline   time.Time // zero: no budget
	progressed bool
	cp         *state.Checkpoint
	base       state.SweepStats // the checkpoint's totals at the start of this invocation
	stats      state.SweepStats
	statsMu    sync.Mutex
	unavail    []Unavailable
	errs       []error
	// active holds the IDs of the resources with ACTIVE findings in the sink's state, nil when it keeps none.
	active map[string]bool
	// kept are revisions described in this invocation (at most keptRevisions), by ARN: the estate's changes to their
	// running context are evaluated from them.
	kept map[string]*keptRevision
	// revisiting is set while revisions are evaluated again for their running context (counted as RunningChanged),
	// as observed at revisitAt.
	revisiting bool
	revisitAt  time.Time
}

// needed reports whether the sink has anything to do with an evaluation. With finding state, a resource whose
// results all pass (or cannot be judged) and that has no ACTIVE finding needs no call at all: the publisher would
// create nothing, resolve nothing and archive nothing. Leaving it out saves the publisher's per-resource state reads.
func (r *run) needed(ev engine.Evaluated) bool {
	if r.active == nil || r.active[ev.ResourceID] {
		return true
	}
	for _, f := range ev.Findings {
		if f.Status == rule.Failed || f.Status == rule.Suppressed || (f.Status == rule.Passed && r.s.Options.ReportPasses) {
			return true
		}
	}
	return false
}

// loadActive reads which resources have ACTIVE findings, when the sink keeps state.
func (r *run) loadActive(ctx context.Context, sink Sink) error {
	r.active = nil
	o, ok := sink.(OpenResources)
	if !ok {
		return nil
	}
	ids, err := o.OpenResources(ctx)
	if err != nil {
		return fmt.Errorf("list resources with open findings: %w", err)
	}
	r.active = make(map[string]bool, len(ids))
	for _, id := range ids {
		r.active[id] = true
	}
	return nil
}

func (r *run) count(f func(st *state.SweepStats)) {
	r.statsMu.Lock()
	f(&r.stats)
	r.statsMu.Unlock()
}

// overBudget reports whether the invocation should stop; it never does before it made some progress.
func (r *run) overBudget() bool {
	return r.progressed && !r.deadline.IsZero() && !r.s.Now().Before(r.deadline)
}

// Run runs one invocation of the sweep over the targets (the first is the sweeper's own account and region, whose
// checkpoint tracks the whole sweep): it resumes an unfinished sweep or starts a new one, works until the sweep is
// done or the budget is spent, and then checkpoints (and asks for its continuation). An error means some work
// failed (a listing, a publish); what succeeded is recorded, and the next invocation resumes after it.
func (s *Sweeper) Run(ctx context.Context, targets []Target) (Result, error) {
	s.init()
	if len(targets) == 0 {
		return Result{Done: true}, nil
	}
	r := &run{s: s, start: s.Now(), kept: map[string]*keptRevision{}}
	// The lease lasts as long as this invocation can: until the context's deadline, else the budget and its margin,
	// else a day (the CLI). The budget ends Margin before the deadline, or earlier when Budget says so.
	lease := 24 * time.Hour
	if s.Options.Budget > 0 {
		r.deadline = r.start.Add(s.Options.Budget)
		lease = s.Options.Budget + s.Options.Margin
	}
	if dl, ok := ctx.Deadline(); ok {
		// A short deadline (a test harness, a function configured with a small timeout) keeps half of it back.
		margin := min(s.Options.Margin, time.Until(dl)/2)
		if end := r.start.Add(time.Until(dl) - margin); r.deadline.IsZero() || end.Before(r.deadline) {
			r.deadline = end
		}
		lease = time.Until(dl)
	}
	owner := newOwner()
	key := "SWEEP#" + targets[0].Account + "#" + targets[0].Region
	cp, err := s.Store.Claim(ctx, key, owner, r.start.Add(lease), r.start)
	if errors.Is(err, state.ErrBusy) {
		s.Log.Info("sweep already running in another invocation; nothing to do", "checkpoint", key, "reason", err.Error())
		return Result{Busy: true}, nil
	}
	if err != nil {
		return Result{}, err
	}
	if cp.Phase == "" || cp.Phase == PhaseDone || cp.Target >= len(targets) {
		cp.SweepID, cp.Target, cp.Phase, cp.Cursor, cp.Invocations, cp.Stats = r.start.UTC().Format(time.RFC3339), 0, PhaseRevisions, "", 0, state.SweepStats{}
	}
	cp.Invocations++
	r.cp, r.base = cp, cp.Stats
	log := s.Log.With("sweepId", cp.SweepID, "invocation", cp.Invocations)
	log.Info("sweep invocation started", "target", cp.Target, "phase", cp.Phase, "cursor", cp.Cursor, "mode", s.Options.Mode)
	res := Result{Invocations: cp.Invocations}
	stopped := false
	for cp.Target < len(targets) && !stopped {
		t := targets[cp.Target]
		tlog := log.With("account", t.Account, "region", t.Region)
		finished, err := s.sweepTarget(ctx, r, t, tlog)
		if err != nil {
			// A failure before the target finished (a listing, the store) stops this invocation: the checkpoint keeps
			// its place and a retry resumes there. One in the resources phase is reported, and the sweep moves on, so
			// that one unreadable repository cannot hold every later sweep back.
			r.errs = append(r.errs, fmt.Errorf("sweep %s in %s: %w", t.Account, t.Region, err))
			stopped = !finished
			tlog.Error("sweep of the target failed", "phase", cp.Phase, "error", err.Error())
		}
		if !finished {
			break
		}
		cp.Target, cp.Phase, cp.Cursor = cp.Target+1, PhaseRevisions, ""
		if err := r.save(ctx); err != nil {
			return r.result(res), errors.Join(append(r.errs, err)...)
		}
	}
	if cp.Target >= len(targets) {
		cp.Phase = PhaseDone
	}
	s.flush(ctx, r, targets, cp.Phase == PhaseDone)
	cp.Owner, cp.LeaseUntil = "", time.Time{}
	if err := r.save(ctx); err != nil {
		return r.result(res), errors.Join(append(r.errs, err)...)
	}
	res = r.result(res)
	switch {
	case cp.Phase == PhaseDone:
		res.Done = true
		log.Info("sweep finished", "invocations", cp.Invocations, "described", res.Total.Described, "reused", res.Total.Reused,
			"notAvailable", res.Total.NotAvailable, "archived", res.Total.Archived)
	case stopped:
		log.Warn("sweep stopped by an error; a retry or the next schedule resumes it", "target", cp.Target, "phase", cp.Phase, "cursor", cp.Cursor)
	case s.Continue != nil:
		if err := s.Continue.Continue(ctx); err != nil {
			r.errs = append(r.errs, fmt.Errorf("continue the sweep: %w", err))
			break
		}
		res.Continued = true
		s.Metrics.Add("SweepContinuations", 1)
		log.Info("sweep budget spent: checkpoint saved and continuation requested", "target", cp.Target, "phase", cp.Phase, "cursor", cp.Cursor)
	default:
		log.Info("sweep checkpoint saved; the next invocation resumes it", "target", cp.Target, "phase", cp.Phase, "cursor", cp.Cursor)
	}
	return res, errors.Join(r.errs...)
}

func (r *run) result(res Result) Result {
	r.statsMu.Lock()
	defer r.statsMu.Unlock()
	res.Stats, res.Total, res.Unavailable = r.stats, r.base.Plus(r.stats), r.unavail
	return res
}

func (r *run) save(ctx context.Context) error {
	r.statsMu.Lock()
	r.cp.Stats = r.base.Plus(r.stats)
	r.statsMu.Unlock()
	return r.s.Store.Save(ctx, r.cp)
}

func (s *Sweeper) flush(ctx context.Context, r *run, targets []Target, done bool) {
	seen := map[Sink]bool{}
	for _, t := range targets {
		f, ok := t.Sink.(Flusher)
		if !ok || seen[t.Sink] {
			continue
		}
		seen[t.Sink] = true
		if err := f.Flush(ctx, done); err != nil {
			r.errs = append(r.errs, fmt.Errorf("flush %s: %w", t.Account, err))
		}
	}
}

func newOwner() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// paced returns a copy of the target's source whose ECS and ECR calls go through this sweep's pacers.
func (s *Sweeper) paced(t Target) *source.Source {
	ps := *t.Source
	ecsPacer := pace.New(ECSRate*s.Options.PaceShare, int(ECSBurst*s.Options.PaceShare))
	ecrPacer := pace.New(s.Options.ECRRate, s.Options.ECRBurst)
	if s.Options.Unpaced {
		ecsPacer, ecrPacer = nil, nil
	}
	retry := s.Options.Retry
	next := retry.OnRetry
	retry.OnRetry = func(op string, err error) {
		s.Metrics.Add("Retries", 1)
		if next != nil {
			next(op, err)
		}
	}
	ps.ECS = &source.PacedECS{API: t.Source.ECS, Pacer: ecsPacer, Retry: retry}
	ps.ECR = &source.PacedECR{API: t.Source.ECR, Pacer: ecrPacer, Retry: retry}
	if t.Source.Estate != nil {
		share := s.Options.PaceShare
		if s.Options.Unpaced {
			share = 0
		}
		ps.Estate = &source.PacedEstate{API: t.Source.Estate, Pacers: source.NewEstatePacers(share), Retry: retry}
	}
	if in := t.Source.ECRIn; in != nil {
		var mu sync.Mutex
		clients := map[string]source.ECRAPI{}
		ps.ECRIn = func(region string) source.ECRAPI {
			mu.Lock()
			defer mu.Unlock()
			if c, ok := clients[region]; ok {
				return c
			}
			c := &source.PacedECR{API: in(region), Pacer: ecrPacer, Retry: retry}
			clients[region] = c
			return c
		}
	}
	return &ps
}

// sweepTarget works on one target from the checkpoint's phase and cursor. It returns false when the budget ran
// out first.
func (s *Sweeper) sweepTarget(ctx context.Context, r *run, t Target, log *slog.Logger) (bool, error) {
	src := s.paced(t)
	began := time.Now()
	if err := r.loadActive(ctx, t.Sink); err != nil {
		return false, err
	}
	listed, err := src.ActiveRevisions(ctx)
	if err != nil {
		return false, err
	}
	scope := inScope(listed, s.Options.Mode)
	recs, err := s.Store.Records(ctx, state.KindRevision, t.Account, t.Region)
	if err != nil {
		return false, err
	}
	log.Info("revisions listed", "listed", len(listed), "inScope", len(scope), "records", len(recs), "activeResources", len(r.active),
		"seconds", time.Since(began).Seconds())
	cat := newImages(src, t.Account, t.Region, s.Options.Concurrency)
	if r.cp.Phase == PhaseRevisions {
		if r.cp.Cursor == "" {
			r.count(func(st *state.SweepStats) { st.Listed += len(listed); st.InScope += len(scope) })
		}
		todo := scope[sort.SearchStrings(scope, r.cp.Cursor):]
		if len(todo) > 0 && todo[0] == r.cp.Cursor {
			todo = todo[1:]
		}
		for len(todo) > 0 {
			if r.overBudget() {
				return false, nil
			}
			n := min(s.Options.ChunkSize, len(todo))
			s.chunk(ctx, r, t, src, cat, todo[:n], recs, log)
			r.cp.Cursor = todo[n-1]
			r.progressed = true
			todo = todo[n:]
			if err := r.save(ctx); err != nil {
				return false, err
			}
		}
		r.cp.Phase, r.cp.Cursor = PhaseResources, ""
		if err := r.save(ctx); err != nil {
			return false, err
		}
		log.Info("revisions audited", "seconds", time.Since(began).Seconds())
	}
	if r.overBudget() {
		return false, nil
	}
	began = time.Now()
	err = s.resources(ctx, r, t, src, cat, scope, recs, log)
	r.progressed = true
	log.Info("registry, repositories and images audited", "seconds", time.Since(began).Seconds(), "repositoryListings", cat.lists,
		"scanFindingCalls", cat.scanCalls)
	return true, err
}
