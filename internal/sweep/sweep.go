// Package sweep audits whole accounts at scale with the fewest AWS calls: every ACTIVE task definition revision in
// scope (the latest of each family, or all of them), the registry, every repository and the images in scope, then
// archives the findings of what is gone. docs/sweep.md describes the design and its measured cost.
//
// What keeps it cheap: a revision never changes, so one already audited under the same rule-catalog version and
// configuration is not described again (its record in the state table keeps what its image-dependent rules need);
// images are judged every sweep from the scan summaries of one paged DescribeImages listing per repository; a
// repository is read in full only when its description, the registry's scanning configuration, the catalog or the
// configuration changed. Every record is audited again after a maximum age (spread over sweeps), which also keeps
// each open finding re-imported before Security Hub's retention drops it.
//
// What keeps it honest: ECS calls are paced by a token bucket at a share of the account's 20 calls per second and
// throttling is retried with backoff; a revision that still cannot be described is NOT_AVAILABLE (nothing about it
// is published, its records stay as they were, the next sweep tries again), never PASSED; and nothing is archived
// unless the listings that prove it gone were read in full.
//
// What lets it finish: the work is cut in chunks of revisions; after each chunk is published and recorded the
// checkpoint moves on, and when the invocation's time budget runs out the sweeper saves the checkpoint and asks for
// its own continuation, which resumes after the last recorded chunk. A lease in the checkpoint keeps two
// invocations (a continuation and the next scheduled sweep) from working at once.
package sweep

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/metrics"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/pace"
	"github.com/ecsaudit/ecsaudit/internal/publish"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/source"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

// Revision modes.
const (
	ModeLatest = "latest"
	ModeAll    = "all"
)

// ECS's shared bucket for DescribeTaskDefinition, ListTaskDefinitions and ListTaskDefinitionFamilies, per account
// and region.
const (
	ECSRate  = 20
	ECSBurst = 50
)

// Phases of a sweep.
const (
	PhaseRevisions = "revisions"
	PhaseResources = "resources"
	PhaseDone      = "done"
)

// Store keeps sweep records and checkpoints.
type Store interface {
	// Records returns the records of one kind for one account and region, by ID.
	Records(ctx context.Context, kind, account, region string) (map[string]*state.SweepRecord, error)
	// PutRecords writes records, replacing those with the same kind and ID.
	PutRecords(ctx context.Context, recs []*state.SweepRecord) error
	// DeleteRecords removes records.
	DeleteRecords(ctx context.Context, recs []*state.SweepRecord) error
	// Claim reads the checkpoint under key and takes its lease for owner until the given time. It fails with
	// state.ErrBusy while another owner's lease runs. A missing checkpoint is returned empty (Version 0).
	Claim(ctx context.Context, key, owner string, until, now time.Time) (*state.Checkpoint, error)
	// Save writes the checkpoint if its owner still holds the lease (state.ErrLeaseLost otherwise) and advances Version.
	Save(ctx context.Context, cp *state.Checkpoint) error
}

// Options configure a sweep. The zero value of each field means its default.
type Options struct {
	// Mode is ModeLatest (the latest ACTIVE revision of each family, as Security Hub's controls do; the default) or
	// ModeAll (every ACTIVE revision). In latest mode the findings of superseded revisions are archived.
	Mode string
	// MaxAge is how long a record is trusted before its resource is audited again (default 7 days, at most 30 so
	// that open findings are re-imported before Security Hub drops them). Each resource gets its own limit between
	// half of MaxAge and MaxAge, so that the re-audits of resources audited together spread over several sweeps.
	MaxAge time.Duration
	// PaceShare is the share of ECS's 20 calls per second (burst 50) the sweep may use (default 0.5): the rest is
	// left to deployments and everything else in the account.
	PaceShare float64
	// ECRRate and ECRBurst pace ECR calls (default 20 per second, burst 50); ECR publishes no rate for its read calls.
	ECRRate  float64
	ECRBurst int
	// Unpaced lifts the pacing (benchmarks against the emulator).
	Unpaced bool
	// Concurrency is how many calls run at once (default 4), within the pace.
	Concurrency int
	// ChunkSize is how many revisions are published and checkpointed together (default 100).
	ChunkSize int
	// Budget is the time one invocation may work before it checkpoints and continues; zero means the context's
	// deadline less Margin, or no limit without a deadline. Each invocation completes at least one chunk.
	Budget time.Duration
	// Margin is what is kept back from the context's deadline (default 90 s): time to publish the last chunk.
	Margin time.Duration
	// Retry is the retry policy of paced calls (the zero value: 6 attempts, 250 ms doubling to 20 s).
	Retry source.Retry
	// Version is the auditor's version: with a hash of the catalog's rules it forms the catalog version recorded
	// with each audit.
	Version string
	// ReportPasses must match the publisher's option of that name: with it, resources whose results all pass are
	// still handed to the sink.
	ReportPasses bool
}

// Target is one account and region to sweep.
type Target struct {
	Account, Region, Partition string
	// Source reads the account (its clients carry the account's credentials); the sweep paces a copy of it.
	Source *source.Source
	// Sink publishes the account's findings (under the account's own credentials).
	Sink Sink
}

// Sink receives what a sweep produced, in batches: the findings of evaluated resources (each resource's complete
// evaluation) and the IDs of resources that are gone or out of scope, whose open findings are archived.
type Sink interface {
	Publish(ctx context.Context, evaluated []publish.Evaluated, archived []string) error
}

// OpenResources is implemented by sinks that keep finding state: it returns the IDs of the resources with ACTIVE
// findings. The sweep archives those it no longer finds, and hands the sink only the resources it has something to
// do for (see Sweeper). A sink that wraps one without state returns ErrNoState.
type OpenResources interface {
	OpenResources(ctx context.Context) ([]string, error)
}

// ErrNoState is what OpenResources returns from a sink that keeps no finding state: it is then given every result.
var ErrNoState = errors.New("the sink keeps no finding state")

// Flusher is implemented by sinks that act at the end of each invocation; done says whether the whole sweep is
// done (a first sweep then records its baseline).
type Flusher interface {
	Flush(ctx context.Context, done bool) error
}

// Continuer starts another invocation of the sweeper to resume from the checkpoint.
type Continuer interface {
	Continue(ctx context.Context) error
}

// Result says what one invocation did.
type Result struct {
	// Done is true when the sweep finished (every target); Continued when it checkpointed and asked for its own
	// continuation; Busy when another invocation held the lease and this one did nothing.
	Done, Continued, Busy bool
	// Stats counts this invocation's work; Total the whole sweep's so far.
	Stats, Total state.SweepStats
	// Unavailable lists the revisions that could not be described, with why (NOT_AVAILABLE).
	Unavailable []Unavailable
	// Invocations counts the invocations of this sweep so far, this one included.
	Invocations int
}

// Unavailable is a resource the sweep could not read.
type Unavailable struct {
	ID, Reason string
}

// Sweeper runs sweeps. Its fields are set once; a Sweeper runs one sweep at a time.
type Sweeper struct {
	Engine *engine.Engine
	Store  Store
	// Index is the image-use index, kept up to date for the revisions described; nil for none.
	Index    *state.ImageIndex
	Metrics  *metrics.Recorder
	Log      *slog.Logger
	Now      func() time.Time
	Continue Continuer
	Options  Options

	once        sync.Once
	catalog     string
	config      string
	imageEngine *engine.Engine
}

func (s *Sweeper) init() {
	s.once.Do(func() {
		o := &s.Options
		if o.Mode != ModeAll {
			o.Mode = ModeLatest
		}
		if o.MaxAge <= 0 {
			o.MaxAge = 7 * 24 * time.Hour
		}
		o.MaxAge = min(o.MaxAge, 30*24*time.Hour)
		if o.PaceShare <= 0 {
			o.PaceShare = 0.5
		}
		o.PaceShare = min(o.PaceShare, 1)
		if o.ECRRate <= 0 {
			o.ECRRate = 20
		}
		if o.ECRBurst <= 0 {
			o.ECRBurst = 50
		}
		if o.Concurrency <= 0 {
			o.Concurrency = 4
		}
		if o.ChunkSize <= 0 {
			o.ChunkSize = 100
		}
		if o.Margin <= 0 {
			o.Margin = 90 * time.Second
		}
		if s.Now == nil {
			s.Now = time.Now
		}
		if s.Log == nil {
			s.Log = slog.New(slog.DiscardHandler)
		}
		if s.Metrics == nil {
			s.Metrics = metrics.New("sweep")
		}
		s.catalog = CatalogVersion(s.Engine.Catalog(), o.Version)
		s.config = ConfigHash(s.Engine.Config())
		s.imageEngine = engine.New(imageCatalog(s.Engine.Catalog()), s.Engine.Config())
	})
}

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
}

// needed reports whether the sink has anything to do with an evaluation. With finding state, a resource whose
// results all pass (or cannot be judged) and that has no ACTIVE finding needs no call at all: the publisher would
// create nothing, resolve nothing and archive nothing. Leaving it out saves the publisher's per-resource state reads.
func (r *run) needed(ev publish.Evaluated) bool {
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
	if errors.Is(err, ErrNoState) {
		return nil
	}
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
	r := &run{s: s, start: s.Now()}
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

// inScope keeps the revisions the mode audits, sorted: all of them, or the highest revision of each family.
func inScope(arns []string, mode string) []string {
	var out []string
	if mode == ModeAll {
		out = append(out, arns...)
	} else {
		best := map[string]string{}
		rev := map[string]int{}
		for _, a := range arns {
			fam, n := familyRevision(a)
			if _, ok := best[fam]; !ok || n > rev[fam] {
				best[fam], rev[fam] = a, n
			}
		}
		for _, a := range best {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// familyRevision splits ".../family:12" into family and 12.
func familyRevision(arn string) (string, int) {
	s := arn[strings.LastIndex(arn, "/")+1:]
	i := strings.LastIndex(s, ":")
	if i < 0 {
		return s, 0
	}
	n := 0
	for _, c := range s[i+1:] {
		if c < '0' || c > '9' {
			return s, 0
		}
		n = n*10 + int(c-'0')
	}
	return s[:i], n
}

// due says why a record's resource must be audited again, or "" when the record can be trusted.
func (s *Sweeper) due(rec *state.SweepRecord, now time.Time) string {
	switch {
	case rec == nil:
		return "new"
	case rec.Catalog != s.catalog || rec.Config != s.config:
		return "rules"
	case !rec.Until.IsZero() && !now.Before(rec.Until):
		return "suppression"
	case now.Sub(rec.AuditedAt) >= s.maxAgeOf(rec.ID):
		return "stale"
	}
	return ""
}

// maxAgeOf is a resource's own age limit: between half of MaxAge and MaxAge, fixed by a hash of its ID, so that
// resources audited in the same sweep come due over several later sweeps instead of all in one.
func (s *Sweeper) maxAgeOf(id string) time.Duration {
	half := s.Options.MaxAge / 2
	return half + time.Duration(float64(half)*spread(id))
}

// chunk audits one chunk of revisions: it re-judges the image-dependent results of those with a trusted record,
// describes the others (and those whose images changed), publishes what was evaluated, then records it.
func (s *Sweeper) chunk(ctx context.Context, r *run, t Target, src *source.Source, cat *images, arns []string, recs map[string]*state.SweepRecord, log *slog.Logger) {
	now := s.Now().UTC()
	var describe, reuse []string
	var refs []string
	for _, arn := range arns {
		rec := recs[arn]
		switch why := s.due(rec, now); why {
		case "":
			reuse = append(reuse, arn)
			for _, c := range rec.Containers {
				refs = append(refs, c.Image)
			}
		default:
			describe = append(describe, arn)
			r.count(func(st *state.SweepStats) {
				switch why {
				case "new":
					st.New++
				case "rules":
					st.Rules++
				case "suppression":
					st.SuppressionExpired++
				case "stale":
					st.Stale++
				}
			})
		}
	}
	cat.prefetch(ctx, refs)
	for _, arn := range reuse {
		rec := recs[arn]
		lk, digests, transient := cat.lookups(ctx, containerImages(rec.Containers))
		if transient {
			// The images could not be read: the results stay as they are, to be judged next sweep.
			r.count(func(st *state.SweepStats) { st.Reused++ })
			continue
		}
		if s.imageVerdict(t, arn, rec.Containers, lk, now) != rec.Verdict || !equal(digests, rec.Digests) {
			describe = append(describe, arn)
			r.count(func(st *state.SweepStats) { st.ImageChanged++ })
			continue
		}
		r.count(func(st *state.SweepStats) { st.Reused++ })
	}
	if len(describe) == 0 {
		return
	}
	sort.Strings(describe)
	tds := make([]*model.TaskDefinition, len(describe))
	errs := make([]error, len(describe))
	parallel(ctx, s.Options.Concurrency, len(describe), func(i int) {
		tds[i], errs[i] = src.TaskDefinition(ctx, describe[i])
	})
	var described []string
	for _, td := range tds {
		if td != nil {
			described = append(described, containerImages(containersOf(td))...)
		}
	}
	cat.prefetch(ctx, described)
	var evaluated []publish.Evaluated
	var archived []string
	var fresh, gone []*state.SweepRecord
	for i, arn := range describe {
		td, err := tds[i], errs[i]
		if err == nil && td == nil {
			err = ctx.Err()
		}
		if err != nil {
			// Listed ACTIVE, yet not described after every retry: NOT_AVAILABLE. Nothing is published for it and its
			// record is left as it was, so the next sweep describes it again.
			log.Warn("revision not available: describe failed after retries; its findings are left unchanged", "arn", arn, "error", err.Error())
			s.Metrics.Add("NotAvailableResults", 1)
			r.count(func(st *state.SweepStats) { st.NotAvailable++ })
			r.statsMu.Lock()
			r.unavail = append(r.unavail, Unavailable{ID: arn, Reason: err.Error()})
			r.statsMu.Unlock()
			continue
		}
		r.count(func(st *state.SweepStats) { st.Described++ })
		if td.Def.Status != "" && td.Def.Status != ecstypes.TaskDefinitionStatusActive {
			// Deregistered since the listing: the describe itself says so.
			archived = append(archived, td.ID())
			if rec := recs[arn]; rec != nil {
				gone = append(gone, rec)
			}
			continue
		}
		containers := containersOf(td)
		lk, digests, _ := cat.lookups(ctx, containerImages(containers))
		td.Images = lk
		fs := s.Engine.Task(td, now)
		if ev := (publish.Evaluated{ResourceID: td.ID(), Resource: td, Findings: fs}); r.needed(ev) {
			evaluated = append(evaluated, ev)
		}
		fresh = append(fresh, &state.SweepRecord{
			Kind: state.KindRevision, ID: arn, Account: t.Account, Region: t.Region, Catalog: s.catalog, Config: s.config,
			AuditedAt: now, Verdict: s.imageVerdict(t, arn, containers, lk, now), Until: suppressionUntil(fs),
			Containers: containers, Digests: digests,
		})
	}
	if len(fresh) == 0 && len(archived) == 0 {
		return
	}
	if len(evaluated) > 0 || len(archived) > 0 {
		if err := t.Sink.Publish(ctx, evaluated, archived); err != nil {
			// Not recorded: these revisions are described again next sweep, and the publisher re-sends what it could not.
			log.Error("publishing a chunk of revisions failed; they are audited again next sweep", "revisions", len(evaluated), "error", err.Error())
			r.count(func(st *state.SweepStats) { st.PublishErrors++ })
			r.errs = append(r.errs, err)
			return
		}
	}
	r.count(func(st *state.SweepStats) { st.Archived += len(archived) })
	if err := s.Store.PutRecords(ctx, fresh); err != nil {
		r.errs = append(r.errs, err)
		return
	}
	if err := s.Store.DeleteRecords(ctx, gone); err != nil {
		r.errs = append(r.errs, err)
	}
	s.index(ctx, r, fresh, recs, archived)
	for _, rec := range fresh {
		recs[rec.ID] = rec
	}
	for _, rec := range gone {
		delete(recs, rec.ID)
	}
}

// index keeps the image-use index in step: the uses of described revisions whose digests changed are recorded,
// those of revisions that are gone forgotten.
func (s *Sweeper) index(ctx context.Context, r *run, fresh []*state.SweepRecord, old map[string]*state.SweepRecord, gone []string) {
	if s.Index == nil {
		return
	}
	var mu sync.Mutex
	var todo []*state.SweepRecord
	for _, rec := range fresh {
		if prev := old[rec.ID]; prev == nil || !equal(prev.Digests, rec.Digests) {
			todo = append(todo, rec)
		}
	}
	now := s.Now().UTC()
	parallel(ctx, s.Options.Concurrency, len(todo)+len(gone), func(i int) {
		var err error
		if i < len(todo) {
			err = s.Index.Record(ctx, todo[i].ID, todo[i].Digests, now)
		} else {
			err = s.Index.Forget(ctx, gone[i-len(todo)])
		}
		if err != nil {
			mu.Lock()
			r.errs = append(r.errs, err)
			mu.Unlock()
		}
	})
}

func containersOf(td *model.TaskDefinition) []state.Container {
	out := make([]state.Container, len(td.Def.ContainerDefinitions))
	for i, c := range td.Def.ContainerDefinitions {
		if c.Name != nil {
			out[i].Name = *c.Name
		}
		if c.Image != nil {
			out[i].Image = *c.Image
		}
	}
	return out
}

func containerImages(cs []state.Container) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Image
	}
	return out
}

// imageVerdict evaluates the image-dependent rules on a revision known only by its containers, with the given image
// lookups. The same evaluation runs when the revision is described and when it is re-judged from its record, so the
// two verdicts compare: tag suppressions, which need the revision's tags, are left out of both (they apply to the
// full evaluation that is published).
func (s *Sweeper) imageVerdict(t Target, arn string, cs []state.Container, lk map[string]model.ImageLookup, now time.Time) string {
	td := &model.TaskDefinition{Images: lk}
	td.ARN, td.Account, td.Region, td.Partition = arn, t.Account, t.Region, t.Partition
	td.Def.TaskDefinitionArn = &arn
	td.Def.ContainerDefinitions = make([]ecstypes.ContainerDefinition, len(cs))
	for i, c := range cs {
		name, image := c.Name, c.Image
		if name != "" {
			td.Def.ContainerDefinitions[i].Name = &name
		}
		if image != "" {
			td.Def.ContainerDefinitions[i].Image = &image
		}
	}
	return Verdict(s.imageEngine.Task(td, now))
}

// suppressionUntil returns when the earliest suppression applied to the findings stops applying (the day after its
// until date), zero when none expires.
func suppressionUntil(fs []engine.Finding) time.Time {
	var out time.Time
	for _, f := range fs {
		sp := f.Suppression
		if sp == nil || sp.Until == "" || sp.Expired || sp.Ignored != "" {
			continue
		}
		d, err := time.Parse(time.DateOnly, sp.Until)
		if err != nil {
			continue
		}
		if end := d.Add(24 * time.Hour); out.IsZero() || end.Before(out) {
			out = end
		}
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// resources audits the registry, the repositories and the images in scope, then archives what is gone. It runs in
// one invocation after every revision chunk is done. What failed (a read, a publish) is returned and done again by
// the next sweep; it never makes something be archived that was merely not read.
func (s *Sweeper) resources(ctx context.Context, r *run, t Target, src *source.Source, cat *images, scope []string, recs map[string]*state.SweepRecord, log *slog.Logger) error {
	now := s.Now().UTC()
	registry, err := src.Registry(ctx)
	if err != nil {
		return err
	}
	repos, err := src.Repositories(ctx)
	if err != nil {
		return err
	}
	seen := map[string]bool{registry.ID(): true}
	for _, arn := range scope {
		seen[arn] = true
	}
	var errs []error
	publishAll := func(ev []publish.Evaluated, archived []string) bool {
		if len(ev) == 0 && len(archived) == 0 {
			return true
		}
		if err := t.Sink.Publish(ctx, ev, archived); err != nil {
			r.count(func(st *state.SweepStats) { st.PublishErrors++ })
			errs = append(errs, err)
			return false
		}
		return true
	}

	// The registry: one resource, published every sweep.
	if err := s.registry(ctx, r, t, registry, now, publishAll); err != nil {
		errs = append(errs, err)
	}

	// Images in scope: those the revisions in scope run, and the newest of each repository.
	cat.listRepositories(ctx, repos)
	var refs []string
	for _, arn := range scope {
		if rec := recs[arn]; rec != nil {
			refs = append(refs, containerImages(rec.Containers)...)
		}
	}
	cat.prefetch(ctx, refs)
	inScope := map[string]*model.Image{}
	// imagesKnown turns false when an image could not be read for a reason other than its absence: the images in
	// scope are then not all known, and no image is archived or forgotten this sweep.
	imagesKnown := true
	done := map[string]bool{}
	for _, ref := range refs {
		ir, ok := parseRef(ref)
		if !ok || done[ref] {
			continue
		}
		done[ref] = true
		img, err := cat.image(ctx, ir)
		switch {
		case err == nil:
			inScope[img.ID()] = img
		case !errors.Is(err, source.ErrNotFound):
			imagesKnown = false
			errs = append(errs, err)
		}
	}
	for _, repo := range repos {
		img, err := cat.newest(ctx, repo)
		if err != nil {
			log.Warn("repository images not available", "repository", *repo.RepositoryName, "error", err.Error())
			imagesKnown = false
			errs = append(errs, err)
			continue
		}
		if img != nil {
			inScope[img.ID()] = img
		}
	}
	if err := s.images(ctx, r, t, inScope, imagesKnown, now, publishAll); err != nil {
		errs = append(errs, err)
	}
	for id := range inScope {
		seen[id] = true
	}

	// Repositories: read in full only when their description, the registry's scanning configuration, the rules or
	// the configuration changed, or their record is due.
	if err := s.repositories(ctx, r, t, src, registry, repos, now, publishAll, seen); err != nil {
		errs = append(errs, err)
	}
	// The revisions and repositories were listed in full; whatever of them was not seen is gone. Images are only
	// when every image in scope was read.
	if !imagesKnown {
		log.Warn("some images could not be read: no image is archived this sweep", "errors", len(errs))
	}
	if err := s.archive(ctx, r, t, recs, seen, imagesKnown, publishAll); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// isImage reports whether a resource ID is an image's ARN (repository/<name>/sha256:...).
func isImage(id string) bool {
	return strings.Contains(id, ":repository/") && strings.Contains(id, "/sha256:")
}

// registry publishes the registry when its scanning configuration or results changed, or its record is due.
func (s *Sweeper) registry(ctx context.Context, r *run, t Target, g *model.Registry, now time.Time, publishAll func([]publish.Evaluated, []string) bool) error {
	recs, err := s.Store.Records(ctx, state.KindRegistry, t.Account, t.Region)
	if err != nil {
		return err
	}
	fs := s.Engine.Registry(g, now)
	rec := &state.SweepRecord{Kind: state.KindRegistry, ID: g.ID(), Account: t.Account, Region: t.Region, Catalog: s.catalog, Config: s.config,
		AuditedAt: now, Verdict: Verdict(fs), Until: suppressionUntil(fs)}
	if old := recs[g.ID()]; old != nil && s.due(old, now) == "" && old.Verdict == rec.Verdict {
		return nil
	}
	if ev := (publish.Evaluated{ResourceID: g.ID(), Resource: g, Findings: fs}); r.needed(ev) && !publishAll([]publish.Evaluated{ev}, nil) {
		return nil
	}
	return s.Store.PutRecords(ctx, []*state.SweepRecord{rec})
}

// images publishes the images whose results changed since they were last published, or whose record is due.
func (s *Sweeper) images(ctx context.Context, r *run, t Target, inScope map[string]*model.Image, complete bool, now time.Time, publishAll func([]publish.Evaluated, []string) bool) error {
	recs, err := s.Store.Records(ctx, state.KindImage, t.Account, t.Region)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(inScope))
	for id := range inScope {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	r.count(func(st *state.SweepStats) { st.Images += len(ids) })
	var batch []publish.Evaluated
	var fresh []*state.SweepRecord
	flush := func() error {
		if !publishAll(batch, nil) {
			batch, fresh = nil, nil
			return nil
		}
		if err := s.Store.PutRecords(ctx, fresh); err != nil {
			return err
		}
		r.count(func(st *state.SweepStats) { st.ImagesPublished += len(fresh) })
		batch, fresh = nil, nil
		return nil
	}
	for _, id := range ids {
		img := inScope[id]
		fs := s.Engine.Image(img, now)
		v := Verdict(fs)
		if rec := recs[id]; rec != nil && s.due(rec, now) == "" && rec.Verdict == v {
			continue
		}
		if ev := (publish.Evaluated{ResourceID: id, Resource: img, Findings: fs}); r.needed(ev) {
			batch = append(batch, ev)
		}
		fresh = append(fresh, &state.SweepRecord{Kind: state.KindImage, ID: id, Account: t.Account, Region: t.Region,
			Catalog: s.catalog, Config: s.config, AuditedAt: now, Verdict: v})
		if len(fresh) == s.Options.ChunkSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if !complete {
		return nil
	}
	var stale []*state.SweepRecord
	for id, rec := range recs {
		if inScope[id] == nil {
			stale = append(stale, rec)
		}
	}
	return s.Store.DeleteRecords(ctx, stale)
}

// repositories reads in full and publishes the repositories whose input changed or whose record is due.
func (s *Sweeper) repositories(ctx context.Context, r *run, t Target, src *source.Source, registry *model.Registry, repos []ecrtypes.Repository, now time.Time, publishAll func([]publish.Evaluated, []string) bool, seen map[string]bool) error {
	recs, err := s.Store.Records(ctx, state.KindRepository, t.Account, t.Region)
	if err != nil {
		return err
	}
	r.count(func(st *state.SweepStats) { st.Repositories += len(repos) })
	var todo []ecrtypes.Repository
	inputs := map[string]string{}
	for _, repo := range repos {
		arn := *repo.RepositoryArn
		seen[arn] = true
		in := InputHash(repo, registry.Scanning)
		inputs[arn] = in
		if rec := recs[arn]; rec == nil || s.due(rec, now) != "" || rec.Input != in {
			todo = append(todo, repo)
		}
	}
	var errs []error
	for start := 0; start < len(todo); start += s.Options.ChunkSize {
		part := todo[start:min(start+s.Options.ChunkSize, len(todo))]
		read := make([]*model.Repository, len(part))
		readErr := make([]error, len(part))
		parallel(ctx, s.Options.Concurrency, len(part), func(i int) { read[i], readErr[i] = src.Complete(ctx, part[i], registry) })
		var batch []publish.Evaluated
		var fresh []*state.SweepRecord
		for i, repo := range read {
			if readErr[i] != nil {
				errs = append(errs, readErr[i])
				continue
			}
			fs := s.Engine.Repository(repo, now)
			if ev := (publish.Evaluated{ResourceID: repo.ID(), Resource: repo, Findings: fs}); r.needed(ev) {
				batch = append(batch, ev)
			}
			fresh = append(fresh, &state.SweepRecord{Kind: state.KindRepository, ID: repo.ID(), Account: t.Account, Region: t.Region,
				Catalog: s.catalog, Config: s.config, AuditedAt: now, Input: inputs[repo.ID()], Until: suppressionUntil(fs)})
		}
		if !publishAll(batch, nil) {
			continue
		}
		r.count(func(st *state.SweepStats) { st.RepositoriesRead += len(fresh) })
		if err := s.Store.PutRecords(ctx, fresh); err != nil {
			errs = append(errs, err)
		}
	}
	var stale []*state.SweepRecord
	for id, rec := range recs {
		if !seen[id] {
			stale = append(stale, rec)
		}
	}
	if err := s.Store.DeleteRecords(ctx, stale); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// archive archives the findings of every resource of the target that has open findings or a revision record but
// was not seen by this sweep's complete listings: deleted or deregistered revisions, superseded ones in latest
// mode, deleted repositories, images no longer in scope.
func (s *Sweeper) archive(ctx context.Context, r *run, t Target, recs map[string]*state.SweepRecord, seen map[string]bool, imagesKnown bool, publishAll func([]publish.Evaluated, []string) bool) error {
	owned := ":" + t.Region + ":" + t.Account + ":"
	gone := map[string]bool{}
	var goneRecs []*state.SweepRecord
	var forget []string
	for id, rec := range recs {
		if !seen[id] {
			gone[id] = true
			goneRecs = append(goneRecs, rec)
		}
	}
	if open, ok := t.Sink.(OpenResources); ok {
		ids, err := open.OpenResources(ctx)
		if err != nil && !errors.Is(err, ErrNoState) {
			return fmt.Errorf("list open resources: %w", err)
		}
		for _, id := range ids {
			if strings.Contains(id, owned) && !seen[id] && (imagesKnown || !isImage(id)) {
				gone[id] = true
			}
		}
	}
	ids := make([]string, 0, len(gone))
	for id := range gone {
		ids = append(ids, id)
		if strings.Contains(id, ":task-definition/") {
			forget = append(forget, id)
		}
	}
	sort.Strings(ids)
	for start := 0; start < len(ids); start += s.Options.ChunkSize {
		part := ids[start:min(start+s.Options.ChunkSize, len(ids))]
		if !publishAll(nil, part) {
			return fmt.Errorf("archive %d resources: publish failed", len(part))
		}
		r.count(func(st *state.SweepStats) { st.Archived += len(part) })
	}
	if err := s.Store.DeleteRecords(ctx, goneRecs); err != nil {
		return err
	}
	for _, rec := range goneRecs {
		delete(recs, rec.ID)
	}
	s.index(ctx, r, nil, nil, forget)
	return nil
}
