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
// mode, deleted repositories, images no longer in scope, and the estate's resources (services, task sets, clusters,
// capacity providers, container instances) no longer listed, when estateKnown says every listing was read in full.
func (s *Sweeper) archive(ctx context.Context, r *run, t Target, recs map[string]*state.SweepRecord, seen map[string]bool, imagesKnown, estateKnown bool, publishAll func([]engine.Evaluated, []string) bool) error {
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
			// An estate resource is gone when the estate's listings, read in full, no longer hold it; a kind the
			// sweep does not list keeps its findings until an event says the resource is gone.
			known := !isImage(id) || imagesKnown
			if k := model.KindOfARN(id); k != nil {
				known = estateKnown && swept(id)
			}
			if strings.Contains(id, owned) && !seen[id] && known {
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
