package lambdafn

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

// runs returns the running index, kept in the state table of the image-use index; nil without one (then no revision
// has running context, and nothing is raised or lowered by it).
func (s *Service) runs() *state.Runs {
	if s.Index == nil {
		return nil
	}
	return &state.Runs{DB: s.Index.DB, Table: s.Index.Table}
}

// isRunner reports whether a resource of that kind runs task definitions (a service or a task set).
func isRunner(k *model.Kind) bool { return k == model.KindService || k == model.KindTaskSet }

// recordRunner records what an audited service or task set runs, as read at readAt, and audits again the revisions
// whose running context that changed (the one it ran before and the one it runs now), in this invocation.
func (s *Service) recordRunner(ctx context.Context, inv *invocation, r model.Resource, readAt time.Time) error {
	x := s.runs()
	if x == nil || !isRunner(r.Kind()) {
		return nil
	}
	changed, err := x.RecordRunner(ctx, r, readAt)
	if err != nil {
		return err
	}
	return s.reaudit(ctx, inv, changed)
}

// forgetRunner records that a service or task set is gone (deleted, or found missing) and audits again the revisions
// it ran.
func (s *Service) forgetRunner(ctx context.Context, inv *invocation, arn string) error {
	x := s.runs()
	if x == nil || !isRunner(model.KindOfARN(arn)) {
		return nil
	}
	changed, err := x.ForgetRunner(ctx, arn, inv.now)
	if err != nil {
		return err
	}
	return s.reaudit(ctx, inv, changed)
}

// reaudit audits revisions again, replacing any evaluation of them already queued in this invocation (it was made
// with the running context as it was before).
func (s *Service) reaudit(ctx context.Context, inv *invocation, revisions []string) error {
	var errs []error
	for _, arn := range revisions {
		if inv.audited[arn] {
			delete(inv.audited, arn)
			kept := inv.batch.Evaluated[:0]
			for _, ev := range inv.batch.Evaluated {
				if ev.ResourceID != arn {
					kept = append(kept, ev)
				}
			}
			inv.batch.Evaluated = kept
		}
		if err := s.auditTask(ctx, inv, arn, ""); err != nil {
			errs = append(errs, fmt.Errorf("audit %s again for its running context: %w", arn, err))
		}
	}
	return errors.Join(errs...)
}

// withRunning gives a revision its running context from the index: the services and task sets recorded as running
// it, complete once a sweep has recorded every service of its account and region.
func (s *Service) withRunning(ctx context.Context, td *model.TaskDefinition) error {
	x := s.runs()
	if x == nil {
		return nil
	}
	account, region := td.Account, td.Region
	if account == "" || region == "" {
		account, region = s.Source.Account, s.Source.Region
	}
	run, err := x.Context(ctx, td.ID(), account, region)
	if err != nil {
		return err
	}
	td.Running = run
	return nil
}
