package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/source"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

// recordKind names the sweep records of an estate kind ("ESTATE#SERVICE").
func recordKind(k *model.Kind) string { return "ESTATE#" + strings.ToUpper(k.ARNType) }

// estate audits the ECS estate (clusters, capacity providers, services with their task sets, container
// instances) as source.Listings lists it. A resource listed by name only is described when it has no record, or its
// record is due (catalog, configuration, an expired suppression, its maximum age): its changes arrive as events in
// between. A resource whose listing describes it (capacity providers) is published when its description's hash
// differs from the recorded one, or its record is due. Every resource listed is marked in seen; the result says
// whether every listing was read in full (only then is what was not seen archived).
func (s *Sweeper) estate(ctx context.Context, r *run, t Target, src *source.Source, now time.Time, publishAll func([]engine.Evaluated, []string) bool, seen map[string]bool, log *slog.Logger) (bool, error) {
	if src.Estate == nil {
		return false, nil
	}
	recs := map[*model.Kind]map[string]*state.SweepRecord{}
	for _, k := range source.SweptKinds() {
		m, err := s.Store.Records(ctx, recordKind(k), t.Account, t.Region)
		if err != nil {
			return false, err
		}
		recs[k] = m
	}
	var errs []error
	complete := true
	listed := map[*model.Kind][]string{}
	described := map[string]bool{}
	var batch []engine.Evaluated
	var fresh []*state.SweepRecord
	flush := func() {
		if len(fresh) > 0 && publishAll(batch, nil) {
			if err := s.Store.PutRecords(ctx, fresh); err != nil {
				errs = append(errs, err)
			}
		}
		batch, fresh = nil, nil
	}
	// revisit are the revisions whose running context the services and task sets described here changed: they were
	// evaluated earlier in this sweep (the revisions phase comes first), so their records are dropped and the next
	// sweep (or an event) evaluates them with the new context.
	var revisit []string
	recordRunner := func(res model.Resource) {
		switch res.(type) {
		case *model.Service, *model.TaskSet:
		default:
			return
		}
		if s.Runs == nil {
			return
		}
		changed, err := s.Runs.RecordRunner(ctx, res, now)
		if err != nil {
			errs = append(errs, err)
			return
		}
		revisit = append(revisit, changed...)
	}
	add := func(res model.Resource, input string) {
		recordRunner(res)
		fs := s.Engine.EvaluateOne(res, now)
		if ev := s.Engine.Reported(res, fs); r.needed(ev) {
			batch = append(batch, ev)
		}
		fresh = append(fresh, &state.SweepRecord{Kind: recordKind(res.Kind()), ID: res.ID(), Account: t.Account, Region: t.Region,
			Catalog: s.catalog, Config: s.config, AuditedAt: now, Input: input, Until: suppressionUntil(fs), Verdict: resultsVerdict(fs)})
		if len(fresh) >= s.Options.ChunkSize {
			flush()
		}
	}
	calls := 0
	for _, l := range source.Listings() {
		if l.Describes() {
			rs, err := src.DescribeAll(ctx, l)
			if err != nil {
				complete = false
				errs = append(errs, err)
				continue
			}
			for _, res := range rs {
				id := res.ID()
				seen[id] = true
				in := describedHash(res)
				if rec := recs[l.Kind][id]; rec != nil && s.due(rec, now) == "" && rec.Input == in {
					continue
				}
				add(res, in)
			}
			continue
		}
		scopes := []string{""}
		if l.In != nil {
			scopes = listed[l.In]
		}
		for _, scope := range scopes {
			arns, err := src.List(ctx, l, scope)
			if errors.Is(err, source.ErrNotFound) {
				continue // the scope (a cluster) is gone: nothing of it is listed
			}
			if err != nil {
				complete = false
				errs = append(errs, err)
				continue
			}
			var todo []string
			for _, a := range arns {
				seen[a] = true
				if s.due(recs[l.Kind][a], now) != "" {
					todo = append(todo, a)
				}
			}
			listed[l.Kind] = append(listed[l.Kind], arns...)
			if len(todo) == 0 {
				continue
			}
			calls += (len(todo) + l.Batch - 1) / l.Batch
			d := src.DescribeListed(ctx, l, scope, todo)
			for _, g := range d.Gone {
				delete(seen, g) // deleted since it was listed: ECS said so; nothing is listed within it
				listed[l.Kind] = slices.DeleteFunc(listed[l.Kind], func(a string) bool { return a == g })
			}
			for _, a := range model.SortedKeys(d.Failed) {
				// Listed, yet not described after every retry: NOT_AVAILABLE. Nothing is published for it, its record
				// stays as it was and the next sweep describes it again.
				log.Warn("estate resource not available: describe failed after retries; its findings are left unchanged",
					"kind", l.Kind.Name, "arn", a, "error", d.Failed[a])
				s.Metrics.Add("NotAvailableResults", 1)
				r.count(func(st *state.SweepStats) { st.NotAvailable++ })
				r.statsMu.Lock()
				r.unavail = append(r.unavail, Unavailable{ID: a, Reason: d.Failed[a]})
				r.statsMu.Unlock()
			}
			for _, res := range d.Found {
				described[res.ID()] = true
				seen[res.ID()] = true
				add(res, "")
			}
		}
	}
	flush()
	// What comes with another resource's description (a service's task sets) is still there when that resource was
	// listed and not described again: its record stands for it.
	for _, k := range source.SweptKinds() {
		for id := range recs[k] {
			if o := source.DescribedWith(id); o != "" && seen[o] && !described[o] {
				seen[id] = true
			}
		}
	}
	s.Metrics.Add("EstateDescribeCalls", float64(calls))
	log.Info("estate audited", "describeCalls", calls, "described", len(described), "complete", complete)
	if complete {
		var stale []*state.SweepRecord
		for _, k := range source.SweptKinds() {
			for id, rec := range recs[k] {
				if !seen[id] {
					stale = append(stale, rec)
				}
			}
		}
		if err := s.Store.DeleteRecords(ctx, stale); err != nil {
			errs = append(errs, err)
		}
		if s.Runs != nil {
			for _, rec := range stale {
				if k := model.KindOfARN(rec.ID); k != model.KindService && k != model.KindTaskSet {
					continue
				}
				changed, err := s.Runs.ForgetRunner(ctx, rec.ID, now)
				if err != nil {
					errs = append(errs, err)
				}
				revisit = append(revisit, changed...)
			}
			// Every service and task set of the account and region is now in the running index, but the index is not
			// marked complete: standalone tasks (RunTask, scheduled tasks) are not read yet, so that a revision no
			// service runs may still run, and the functions must not lower its findings (they only raise them).
		}
	}
	if len(revisit) > 0 {
		slices.Sort(revisit)
		revisit = slices.Compact(revisit)
		var recs []*state.SweepRecord
		for _, arn := range revisit {
			recs = append(recs, &state.SweepRecord{Kind: state.KindRevision, ID: arn, Account: t.Account, Region: t.Region})
		}
		if err := s.Store.DeleteRecords(ctx, recs); err != nil {
			errs = append(errs, err)
		}
		log.Info("running context changed; these revisions are evaluated again by the next sweep", "revisions", len(revisit))
	}
	return complete, errors.Join(errs...)
}

// describedHash hashes a described resource: a different hash means it changed.
func describedHash(res model.Resource) string {
	// Resources hold SDK data types (strings, numbers, times, slices): encoding them cannot fail.
	data, _ := json.Marshal(res)
	return digest(string(data))
}

// swept reports whether the sweep lists the kind of a resource ID (an estate kind).
func swept(id string) bool {
	k := model.KindOfARN(id)
	for _, s := range source.SweptKinds() {
		if k == s {
			return true
		}
	}
	return false
}
