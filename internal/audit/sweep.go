package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// OpenResources is implemented by sinks that remember which resources have open findings; the sweep archives the
// findings of those it no longer finds.
type OpenResources interface {
	OpenResources(ctx context.Context) ([]string, error)
}

// sweep audits everything in the account and region: the latest ACTIVE revision of every family (every ACTIVE
// revision in "all" mode), the registry, every repository, and the images in scope. Resources with open findings
// that the listings no longer show are archived, but only when every listing succeeded: a failed read never
// archives anything.
func (s *Service) sweep(ctx context.Context, inv *invocation) error {
	var arns []string
	var err error
	if s.RevisionMode == "all" {
		arns, err = s.Source.ActiveRevisions(ctx)
	} else {
		arns, err = s.Source.LatestActiveRevisions(ctx)
	}
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	var errs []error
	for _, arn := range arns {
		if err := s.auditTask(ctx, inv, arn, ""); err != nil {
			// Not retried here: counted as not available, and the revision's findings are left as they are.
			s.Metrics.Add("NotAvailableResults", 1)
			s.Log.Warn("sweep could not audit a revision; its findings are left unchanged", "arn", arn, "error", err.Error())
			errs = append(errs, err)
		}
	}
	if err := s.auditRegistry(ctx, inv); err != nil {
		errs = append(errs, err)
	}
	if err := s.sweepNewestImages(ctx, inv); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		s.Log.Warn("sweep incomplete: nothing archived", "errors", len(errs))
		return errors.Join(errs...)
	}
	known, ok := s.Sink.(OpenResources)
	if !ok {
		return nil
	}
	open, err := known.OpenResources(ctx)
	if err != nil {
		return fmt.Errorf("sweep: list open resources: %w", err)
	}
	archived := map[string]bool{}
	for _, id := range inv.batch.Archived {
		archived[id] = true
	}
	for _, id := range open {
		if inv.audited[id] || archived[id] || !s.owns(id) {
			continue
		}
		inv.batch.Archived = append(inv.batch.Archived, id)
		if s.Index != nil && strings.Contains(id, ":task-definition/") {
			if err := s.Index.Forget(ctx, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// owns reports whether a resource ID belongs to this sweep's account and region.
func (s *Service) owns(id string) bool {
	return strings.Contains(id, ":"+s.Source.Region+":"+s.Source.Account+":")
}

// sweepNewestImages audits the newest image of every repository (images run by revisions were audited with them).
func (s *Service) sweepNewestImages(ctx context.Context, inv *invocation) error {
	repos, err := s.Source.Repositories(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range repos {
		name, registry := str(r.RepositoryName), str(r.RegistryId)
		digest, err := s.Source.NewestImage(ctx, registry, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if digest == "" {
			continue
		}
		img, err := s.Source.Image(ctx, registry, name, digest)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !inv.audited[img.ID()] {
			s.add(inv, img, s.Engine.Image(img, inv.now))
		}
	}
	return errors.Join(errs...)
}
