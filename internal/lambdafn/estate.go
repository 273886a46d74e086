package lambdafn

import (
	"context"
	"errors"

	"github.com/ecsaudit/ecsaudit/internal/event"
	"github.com/ecsaudit/ecsaudit/internal/source"
)

// auditResource audits one resource of the ECS estate (a service, task set, cluster, capacity provider or
// container instance) named by an event, through the source's generic Describe. One that ECS says is missing or
// inactive is archived; any other failure is returned, so the event is retried. A service or task set is recorded in
// the running index, and the revisions whose running context changed are audited again.
func (s *Service) auditResource(ctx context.Context, inv *invocation, a event.Action) error {
	if inv.audited[a.ARN] {
		return nil
	}
	readAt := s.Now().UTC()
	r, err := s.Source.Describe(ctx, a.Resource, a.ARN)
	if errors.Is(err, source.ErrNotFound) {
		inv.batch.Archived = append(inv.batch.Archived, a.ARN)
		return s.forgetRunner(ctx, inv, a.ARN)
	}
	if err != nil {
		return err
	}
	r.Ident().TagsChangedBy = a.Actor
	s.add(inv, r, s.Engine.EvaluateOne(r, inv.now), readAt)
	// A service or task set is the running context of the revisions it runs (docs/signal.md).
	return s.recordRunner(ctx, inv, r, readAt)
}
