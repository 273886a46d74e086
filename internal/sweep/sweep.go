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
	"log/slog"
	"sync"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/metrics"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/source"
	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/version"
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
	// DriftCalls is how many ECR calls each sweep spends re-reading repositories whose listing shows no change
	// (default 300; negative: none). A repository's policy, lifecycle policy and tags change without changing its
	// DescribeRepositories entry, and a change whose event was missed would otherwise wait until the repository's
	// record comes due. Each re-read costs 3 calls; the repositories audited longest ago go first.
	DriftCalls int
	// Budget is the time one invocation may work before it checkpoints and continues; zero means the context's
	// deadline less Margin, or no limit without a deadline. Each invocation completes at least one chunk.
	Budget time.Duration
	// Margin is what is kept back from the context's deadline (default 90 s): time to publish the last chunk.
	Margin time.Duration
	// Retry is the retry policy of paced calls (the zero value: 6 attempts, 250 ms doubling to 20 s).
	Retry source.Retry
	// Version is the auditor's version (default version.String()): with a hash of the catalog's rules it forms the
	// catalog version recorded with each audit.
	Version string
	// ReportPasses must match the publisher's option of that name: with it, resources whose results all pass are
	// still handed to the sink.
	ReportPasses bool
	// Contents, when set, is given the images in scope of an account once they are all known, so that those whose
	// contents were never read (images that predate the auditor) are read: it reads and publishes what it can and
	// says what failed. Nil reads no contents.
	Contents func(ctx context.Context, account string, imgs []*model.Image) error
}

// Target is one account and region to sweep.
type Target struct {
	Account, Region, Partition string
	// Source reads the account (its clients carry the account's credentials); the sweep paces a copy of it.
	Source *source.Source
	// Sink publishes the account's findings (under the account's own credentials).
	Sink Sink
}

// Sink receives what a sweep produced, in batches marked Sweep: the findings of evaluated resources (each
// resource's complete evaluation) and the IDs of resources that are gone or out of scope, whose open findings are
// archived. publish.Sink is the one that publishes; the CLI's collects for its report.
type Sink interface {
	Publish(ctx context.Context, b engine.Batch) error
}

// OpenResources is implemented by sinks that keep finding state: it returns the IDs of the resources with ACTIVE
// findings. The sweep archives those it no longer finds, and hands the sink only the resources it has something to
// do for (see Sweeper). A sink without it is given every result.
type OpenResources interface {
	OpenResources(ctx context.Context) ([]string, error)
}

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
	Index *state.ImageIndex
	// Runs is the running index: each revision described is evaluated with its running context (what services and
	// task sets run it, docs/signal.md); nil for none. Services listed by a sweep are recorded with
	// Runs.RecordRunner, and Runs.MarkComplete once every service of an account and region is recorded.
	Runs     *state.Runs
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
		if o.DriftCalls == 0 {
			o.DriftCalls = 300
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
		if o.Version == "" {
			o.Version = version.String()
		}
		s.catalog = CatalogVersion(s.Engine.Catalog(), o.Version)
		s.config = ConfigHash(s.Engine.Config())
		s.imageEngine = engine.New(imageCatalog(s.Engine.Catalog()), s.Engine.Config())
	})
}
