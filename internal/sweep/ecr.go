package sweep

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"sort"
	"strings"
	"time"

	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/source"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

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
	publishAll := func(ev []engine.Evaluated, archived []string) bool {
		if len(ev) == 0 && len(archived) == 0 {
			return true
		}
		if err := t.Sink.Publish(ctx, engine.Batch{Evaluated: ev, Archived: archived, Sweep: true, ObservedAt: now}); err != nil {
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
	if s.Options.Contents != nil {
		imgs := make([]*model.Image, 0, len(inScope))
		for _, id := range model.SortedKeys(inScope) {
			imgs = append(imgs, inScope[id])
		}
		// Contents that could not be read are read again by the next sweep or event: a failure here is reported,
		// and does not stop the sweep.
		if err := s.Options.Contents(ctx, t.Account, imgs); err != nil {
			log.Warn("image contents not all read; the next sweep tries again", "error", err.Error())
		}
	}

	// Repositories: read in full only when their description, the registry's scanning configuration, the rules or
	// the configuration changed, or their record is due.
	if err := s.repositories(ctx, r, t, src, registry, repos, now, publishAll, seen, log); err != nil {
		errs = append(errs, err)
	}
	// The estate: clusters, capacity providers, services with their task sets, container instances.
	estateKnown, revisit, err := s.estate(ctx, r, t, src, now, scope, publishAll, seen, log)
	if err != nil {
		errs = append(errs, err)
	}
	s.revisit(ctx, r, t, src, cat, scope, revisit, recs, log)
	// The revisions and repositories were listed in full; whatever of them was not seen is gone. Images are only
	// when every image in scope was read, the estate's resources only when every listing of the estate was read.
	if !imagesKnown {
		log.Warn("some images could not be read: no image is archived this sweep", "errors", len(errs))
	}
	if !estateKnown {
		log.Warn("the estate was not listed in full: none of its resources is archived this sweep")
	}
	if err := s.archive(ctx, r, t, recs, seen, imagesKnown, estateKnown, publishAll); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// isImage reports whether a resource ID is an image's ARN (repository/<name>/sha256:...).
func isImage(id string) bool {
	return strings.Contains(id, ":repository/") && strings.Contains(id, "/sha256:")
}

// registry publishes the registry when its scanning configuration or results changed, or its record is due.
func (s *Sweeper) registry(ctx context.Context, r *run, t Target, g *model.Registry, now time.Time, publishAll func([]engine.Evaluated, []string) bool) error {
	recs, err := s.Store.Records(ctx, state.KindRegistry, t.Account, t.Region)
	if err != nil {
		return err
	}
	fs := s.Engine.EvaluateOne(g, now)
	rec := &state.SweepRecord{Kind: state.KindRegistry, ID: g.ID(), Account: t.Account, Region: t.Region, Catalog: s.catalog, Config: s.config,
		AuditedAt: now, Verdict: Verdict(fs), Until: suppressionUntil(fs)}
	if old := recs[g.ID()]; old != nil && s.due(old, now) == "" && old.Verdict == rec.Verdict {
		return nil
	}
	if ev := s.Engine.Reported(g, fs); r.needed(ev) && !publishAll([]engine.Evaluated{ev}, nil) {
		return nil
	}
	return s.Store.PutRecords(ctx, []*state.SweepRecord{rec})
}

// images publishes the images whose results changed since they were last published, or whose record is due.
func (s *Sweeper) images(ctx context.Context, r *run, t Target, inScope map[string]*model.Image, complete bool, now time.Time, publishAll func([]engine.Evaluated, []string) bool) error {
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
	var batch []engine.Evaluated
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
		fs := s.Engine.EvaluateOne(img, now)
		v := Verdict(fs)
		if rec := recs[id]; rec != nil && s.due(rec, now) == "" && rec.Verdict == v {
			continue
		}
		if ev := s.Engine.Reported(img, fs); r.needed(ev) {
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
func (s *Sweeper) repositories(ctx context.Context, r *run, t Target, src *source.Source, registry *model.Registry, repos []ecrtypes.Repository, now time.Time, publishAll func([]engine.Evaluated, []string) bool, seen map[string]bool, log *slog.Logger) error {
	recs, err := s.Store.Records(ctx, state.KindRepository, t.Account, t.Region)
	if err != nil {
		return err
	}
	r.count(func(st *state.SweepStats) { st.Repositories += len(repos) })
	var todo, unchanged []ecrtypes.Repository
	inputs := map[string]string{}
	for _, repo := range repos {
		arn := *repo.RepositoryArn
		seen[arn] = true
		in := InputHash(repo, registry.Scanning)
		inputs[arn] = in
		if rec := recs[arn]; rec == nil || s.due(rec, now) != "" || rec.Input != in {
			todo = append(todo, repo)
		} else {
			unchanged = append(unchanged, repo)
		}
	}
	// Drift: what the listing cannot show changed (policy, lifecycle policy, tags) is re-read for the repositories
	// audited longest ago, within the call budget, and published only when their results differ from the recorded
	// ones.
	drift := map[string]bool{}
	if n := s.Options.DriftCalls / callsPerRepository; n > 0 && len(unchanged) > 0 {
		sort.SliceStable(unchanged, func(i, j int) bool {
			return recs[*unchanged[i].RepositoryArn].AuditedAt.Before(recs[*unchanged[j].RepositoryArn].AuditedAt)
		})
		for _, repo := range unchanged[:min(n, len(unchanged))] {
			drift[*repo.RepositoryArn] = true
			todo = append(todo, repo)
		}
	}
	var errs []error
	for start := 0; start < len(todo); start += s.Options.ChunkSize {
		part := todo[start:min(start+s.Options.ChunkSize, len(todo))]
		read := make([]*model.Repository, len(part))
		readErr := make([]error, len(part))
		parallel(ctx, s.Options.Concurrency, len(part), func(i int) { read[i], readErr[i] = src.Complete(ctx, part[i], registry) })
		var batch []engine.Evaluated
		var fresh []*state.SweepRecord
		for i, repo := range read {
			if readErr[i] != nil {
				errs = append(errs, readErr[i])
				continue
			}
			fs := s.Engine.EvaluateOne(repo, now)
			verdict := resultsVerdict(fs)
			if drift[repo.ID()] {
				r.count(func(st *state.SweepStats) { st.DriftChecked++ })
			}
			if ev := s.Engine.Reported(repo, fs); r.needed(ev) && (!drift[repo.ID()] || verdict != recs[repo.ID()].Verdict) {
				batch = append(batch, ev)
				if drift[repo.ID()] {
					log.Info("repository changed without its listing changing; its findings are corrected", "arn", repo.ID())
					r.count(func(st *state.SweepStats) { st.DriftFound++ })
				}
			}
			fresh = append(fresh, &state.SweepRecord{Kind: state.KindRepository, ID: repo.ID(), Account: t.Account, Region: t.Region,
				Catalog: s.catalog, Config: s.config, AuditedAt: now, Input: inputs[repo.ID()], Until: suppressionUntil(fs),
				Verdict: verdict})
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

// callsPerRepository is what reading a repository in full costs beyond its listing: GetLifecyclePolicy,
// GetRepositoryPolicy and ListTagsForResource.
const callsPerRepository = 3

// resultsVerdict hashes a resource's results (rule, container, status, severity), to tell a re-read resource whose
// results changed from one whose did not.
func resultsVerdict(fs []engine.Finding) string {
	lines := make([]string, len(fs))
	for i, f := range fs {
		lines[i] = f.ID() + "\x00" + string(f.Status) + "\x00" + string(f.Severity)
	}
	sort.Strings(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:16])
}
