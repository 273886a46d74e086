package lambdafn

import (
	"context"
	"fmt"

	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/sweep"
)

// Sweep runs one invocation of the sweep: the Service's account and region first, then its member accounts.
// Findings are published as the sweep goes, in batches of revisions, through the Service's sink (a batch with new
// failures sends its notification); the sweep's records and checkpoint live in the state table of the image-use
// index. opts.Mode defaults to RevisionMode.
func (s *Service) Sweep(ctx context.Context, opts sweep.Options) (sweep.Result, error) {
	if opts.Mode == "" {
		opts.Mode = s.RevisionMode
	}
	sw := &sweep.Sweeper{
		Engine: s.Engine, Index: s.Index, Runs: s.runs(), Metrics: s.Metrics, Log: s.Log, Now: s.Now,
		Continue: s.Continue, Options: opts, Store: s.sweepStore(),
	}
	targets := []sweep.Target{{
		Account: s.Source.Account, Region: s.Source.Region, Partition: s.Source.Partition,
		Source: s.Source, Sink: s.Sink,
	}}
	if s.Members != nil {
		members, err := s.Members.Targets()
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
