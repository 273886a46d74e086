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
//
// With a running index (Sweeper.Runs) it records what every service, task set and cluster's standalone tasks run, and
// returns the revisions whose running context changed, to be audited again; once every listing and every cluster's
// tasks were read in full it marks the index complete, and then returns every revision in scope the first time
// (those evaluated before, without a complete index, may run nowhere).
func (s *Sweeper) estate(ctx context.Context, r *run, t Target, src *source.Source, now time.Time, scope []string, publishAll func([]engine.Evaluated, []string) bool, seen map[string]bool, log *slog.Logger) (bool, []string, error) {
	if src.Estate == nil {
		return false, nil, nil
	}
	recs := map[*model.Kind]map[string]*state.SweepRecord{}
	for _, k := range source.SweptKinds() {
		m, err := s.Store.Records(ctx, recordKind(k), t.Account, t.Region)
		if err != nil {
			return false, nil, err
		}
		recs[k] = m
	}
	var errs []error
	complete := true
	// runnersKnown turns false when a service or task set listed could not be described: what it runs is not known,
	// and the running index is not marked complete.
	runnersKnown := true
	// Every load balancer and target group, once for the sweep: which services face the internet through one.
	// Without them each service behind a load balancer is read on its own.
	if err := src.ReadLoadBalancers(ctx); err != nil {
		log.Warn("load balancers not read in one pass; each service's are read with it", "error", err.Error())
	}
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
				if k := model.KindOfARN(a); k == model.KindService || k == model.KindTaskSet {
					runnersKnown = false
				}
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
				var changed []string
				var err error
				switch model.KindOfARN(rec.ID) {
				case model.KindService, model.KindTaskSet:
					changed, err = s.Runs.ForgetRunner(ctx, rec.ID, now)
				case model.KindCluster:
					changed, err = s.Runs.ForgetStandalone(ctx, rec.ID, now)
				}
				if err != nil {
					errs = append(errs, err)
				}
				revisit = append(revisit, changed...)
			}
		}
	}
	if s.Runs != nil {
		changed, tasksRead := s.standalone(ctx, src, listed[model.KindCluster], now, &errs, log)
		revisit = append(revisit, changed...)
		if complete && runnersKnown && tasksRead && len(errs) == 0 {
			// Every service, task set and standalone task of the account and region is now in the running index:
			// from here on a revision without runners runs nowhere, and its findings may be lowered.
			was, err := s.Runs.Complete(ctx, t.Account, t.Region)
			if err == nil {
				err = s.Runs.MarkComplete(ctx, t.Account, t.Region, now)
			}
			if err != nil {
				errs = append(errs, err)
			} else if !was {
				log.Info("running index complete for the first time: every revision is evaluated again with it")
				revisit = append(revisit, scope...)
			}
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
		log.Info("running context changed; these revisions are evaluated again", "revisions", len(revisit))
	}
	return complete, revisit, errors.Join(errs...)
}

// standalone records what the standalone tasks of each cluster run (source.StandaloneRuns) and returns the
// revisions whose running context that changed, and whether every cluster's tasks were read in full. A cluster
// found gone has no tasks.
func (s *Sweeper) standalone(ctx context.Context, src *source.Source, clusters []string, now time.Time, errs *[]error, log *slog.Logger) ([]string, bool) {
	var revisit []string
	read, tasks := true, 0
	for _, c := range clusters {
		runs, n, err := src.StandaloneRuns(ctx, c)
		if errors.Is(err, source.ErrNotFound) {
			runs, err = nil, nil
		}
		if err != nil {
			read = false
			*errs = append(*errs, err)
			continue
		}
		tasks += n
		changed, err := s.Runs.RecordStandalone(ctx, c, runs, now)
		if err != nil {
			read = false
			*errs = append(*errs, err)
			continue
		}
		revisit = append(revisit, changed...)
	}
	s.Metrics.Add("StandaloneTasksRead", float64(tasks))
	log.Info("tasks read", "clusters", len(clusters), "tasks", tasks, "complete", read)
	return revisit, read
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

// revisit audits again, in this sweep, the revisions in scope whose running context changed (their records were
// dropped by estate), a chunk at a time while the budget lasts; those left are audited by the next sweep, having no
// record.
func (s *Sweeper) revisit(ctx context.Context, r *run, t Target, src *source.Source, cat *images, scope, revisit []string, recs map[string]*state.SweepRecord, log *slog.Logger) {
	var todo []string
	for _, arn := range revisit {
		if _, ok := slices.BinarySearch(scope, arn); ok {
			todo = append(todo, arn)
		}
	}
	if len(todo) == 0 {
		return
	}
	// A revision kept from this sweep's describe was ACTIVE when read; it is evaluated again only if a listing made
	// now still holds it ACTIVE, and as observed at that listing: one deregistered since is described again (and
	// found INACTIVE), and one deregistered after the listing is older than its deregistration, which the publisher
	// then keeps closed.
	r.revisitAt = s.Now().UTC()
	active, err := src.ActiveRevisions(ctx)
	if err != nil {
		log.Warn("revisions not listed again; those whose running context changed are described again", "error", err.Error())
		clear(r.kept)
	}
	stillActive := map[string]bool{}
	for _, a := range active {
		stillActive[a] = true
	}
	for _, arn := range todo {
		if !stillActive[arn] {
			delete(r.kept, arn) // described again
		}
	}
	r.revisiting = true
	for len(todo) > 0 && !r.overBudget() {
		n := min(s.Options.ChunkSize, len(todo))
		s.chunk(ctx, r, t, src, cat, todo[:n], recs, log)
		todo = todo[n:]
	}
	r.revisiting = false
	if len(todo) > 0 {
		log.Info("out of time: revisions left for the next sweep to evaluate with their running context", "revisions", len(todo))
	}
}
