package sweep

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

// archive archives the findings of every resource of the target that has open findings or a revision record but
// was not seen by this sweep's complete listings: deleted or deregistered revisions, superseded ones in latest
// mode, deleted repositories, images no longer in scope.
func (s *Sweeper) archive(ctx context.Context, r *run, t Target, recs map[string]*state.SweepRecord, seen map[string]bool, imagesKnown bool, publishAll func([]engine.Evaluated, []string) bool) error {
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
		if err != nil {
			return fmt.Errorf("list open resources: %w", err)
		}
		for _, id := range ids {
			base, contents := model.ContentsOf(id)
			if contents && seen[base] {
				continue // the contents of an image still in scope
			}
			// The estate's kinds (services, clusters, ...) are not listed by the sweep yet: their findings stay
			// until an event says the resource is gone.
			if strings.Contains(id, owned) && !seen[id] && (imagesKnown || !isImage(id)) && model.KindOfARN(id) == nil {
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
