package sweep

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/source"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

// inScope keeps the revisions the mode audits, sorted: all of them, or the highest revision of each family.
func inScope(arns []string, mode string) []string {
	var out []string
	if mode == ModeAll {
		out = append(out, arns...)
	} else {
		best := map[string]string{}
		rev := map[string]int{}
		for _, a := range arns {
			fam, n := model.FamilyRevision(a)
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

// keptRevisions is how many described revisions an invocation keeps, with a running index, so that those whose
// running context the estate then changes are evaluated again without a second describe (about 5 KB each).
const keptRevisions = 2000

// keptRevision is a revision described in this invocation, with a digest of the results published for it.
type keptRevision struct {
	td  *model.TaskDefinition
	sum string
}

// resultsSum digests what a revision's evaluation reports: each finding's ID, status, severity, detail and context.
func resultsSum(ev engine.Evaluated) string {
	var b strings.Builder
	for _, f := range ev.Findings {
		b.WriteString(f.ID() + "\x00" + string(f.Status) + "\x00" + string(f.Severity) + "\x00" + f.Detail + "\x00" + f.Context + "\n")
	}
	return digest(b.String())
}

// chunk audits one chunk of revisions: it re-judges the image-dependent results of those with a trusted record,
// describes the others (and those whose images changed), publishes what was evaluated, then records it.
func (s *Sweeper) chunk(ctx context.Context, r *run, t Target, src *source.Source, cat *images, arns []string, recs map[string]*state.SweepRecord, log *slog.Logger) {
	now := s.Now().UTC()
	if r.revisiting {
		now = r.revisitAt
	}
	var describe, reuse []string
	var refs []string
	for _, arn := range arns {
		rec := recs[arn]
		why := s.due(rec, now)
		if r.revisiting {
			why = "running" // evaluated again whatever its record says
		}
		switch why {
		case "":
			reuse = append(reuse, arn)
			for _, c := range rec.Containers {
				refs = append(refs, c.Image)
			}
		default:
			describe = append(describe, arn)
			r.count(func(st *state.SweepStats) {
				switch why {
				case "running":
					st.RunningChanged++
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
		if k := r.kept[describe[i]]; k != nil && r.revisiting {
			tds[i] = k.td // described earlier in this invocation: evaluated again for its running context
			return
		}
		tds[i], errs[i] = src.TaskDefinition(ctx, describe[i])
	})
	var described []string
	for _, td := range tds {
		if td != nil {
			described = append(described, containerImages(containersOf(td))...)
		}
	}
	cat.prefetch(ctx, described)
	var evaluated []engine.Evaluated
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
		if !r.revisiting {
			r.count(func(st *state.SweepStats) { st.Described++ })
		}
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
		s.withRunning(ctx, td, t.Account, t.Region, log)
		fs := s.Engine.EvaluateOne(td, now)
		ev := s.Engine.Reported(td, fs)
		sum := resultsSum(ev)
		switch k := r.kept[arn]; {
		case r.revisiting && k != nil && k.sum == sum:
			// The running context moved nothing: already published in this sweep.
		case r.needed(ev):
			evaluated = append(evaluated, ev)
		}
		if !r.revisiting && s.Runs != nil && len(r.kept) < keptRevisions {
			r.kept[arn] = &keptRevision{td: td, sum: sum}
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
		if err := t.Sink.Publish(ctx, engine.Batch{Evaluated: evaluated, Archived: archived, Sweep: true, ObservedAt: now}); err != nil {
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
		out[i] = state.Container{Name: aws.ToString(c.Name), Image: aws.ToString(c.Image)}
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
	return Verdict(s.imageEngine.EvaluateOne(td, now))
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

// withRunning gives a revision its running context from the running index (Sweeper.Runs). When the index cannot be
// read the revision is evaluated without context: nothing is then raised or lowered by what runs it.
func (s *Sweeper) withRunning(ctx context.Context, td *model.TaskDefinition, account, region string, log *slog.Logger) {
	if s.Runs == nil {
		return
	}
	run, err := s.Runs.Context(ctx, td.ID(), account, region)
	if err != nil {
		log.Warn("running context not read; the revision is evaluated without it", "arn", td.ID(), "error", err.Error())
		return
	}
	td.Running = run
}
