package lambdafn

// The pipeline: Service turns events into audits. It reads the resources an event names (package source), runs the
// engine over them, and hands the findings, and the resources that are gone, to the sink (publish.Sink). A sweep
// event runs the sweep (package sweep), which publishes through the same sink.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/event"
	"github.com/ecsaudit/ecsaudit/internal/metrics"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/publish"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/source"
	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/sweep"
)

// Service handles events for one account and region.
type Service struct {
	Source  *source.Source
	Engine  *engine.Engine
	Index   *state.ImageIndex
	Sink    *publish.Sink
	Metrics *metrics.Recorder
	Log     *slog.Logger
	Now     func() time.Time
	// RevisionMode is "latest" or "all" (sweeps).
	RevisionMode string
	// Trail, when set, lets the sweep check that a CloudTrail trail is logging (the events depend on one).
	Trail source.CloudTrailAPI
	// SweepOptions configure the sweep an event asks for; Mode defaults to RevisionMode.
	SweepOptions sweep.Options
	// Continue starts the next invocation when a sweep's budget is spent (sweep.LambdaContinuer in Lambda); nil for
	// none.
	Continue sweep.Continuer
	// Members are other accounts a sweep audits through a role in each; nil for none.
	Members *sweep.Members
	// Contents reads images' contents from ECR; nil for none.
	Contents *Contents
}

// invocation carries what one event's handling reads once.
type invocation struct {
	now      time.Time
	registry *model.Registry
	// registryReadAt is when the registry was read.
	registryReadAt time.Time
	batch          *engine.Batch
	// audited remembers resources already evaluated in this invocation (an image scan can re-audit a revision twice).
	audited map[string]bool
	// contents are the image contents evaluated, recorded once their findings are published.
	contents []pendingContents
}

// Handle processes one raw event. A malformed event is logged with its id and acknowledged (a retry cannot fix
// it); an error is returned only when a retry could help (a read or a publish failed), after publishing everything
// that did succeed.
func (s *Service) Handle(ctx context.Context, raw json.RawMessage) error {
	log := s.Log.With("eventId", eventID(raw))
	actions, err := event.Parse(raw)
	if err != nil {
		log.Warn("malformed event acknowledged without retry", "error", err.Error())
		s.Metrics.Add("MalformedEvents", 1)
		return nil
	}
	now := s.Now().UTC()
	// Resources found gone are observed so no later than now; each evaluation carries the time of its own read.
	inv := &invocation{now: now, batch: &engine.Batch{ObservedAt: now}, audited: map[string]bool{}}
	var errs []error
	for _, a := range actions {
		alog := log.With("action", string(a.Kind))
		if err := s.do(ctx, inv, a, alog); err != nil {
			alog.Error("action failed; the event will be retried", "error", err.Error(), "arn", a.ARN)
			s.Metrics.Add("AWSErrors", 1)
			errs = append(errs, err)
		}
	}
	if len(inv.batch.Evaluated) > 0 || len(inv.batch.Archived) > 0 {
		if err := s.Sink.Publish(ctx, *inv.batch); err != nil {
			log.Error("publish failed; the event will be retried", "error", err.Error())
			errs = append(errs, fmt.Errorf("publish: %w", err))
		} else if err := s.recordContents(ctx, inv); err != nil {
			log.Warn("image contents results not recorded; they will be read again", "error", err.Error())
		}
	}
	log.Info("event handled", "actions", len(actions), "resources", len(inv.batch.Evaluated), "archived", len(inv.batch.Archived), "errors", len(errs))
	return errors.Join(errs...)
}

func (s *Service) do(ctx context.Context, inv *invocation, a event.Action, log *slog.Logger) error {
	switch a.Kind {
	case event.AuditTaskDefinition, event.ReevaluateTaskDefinition:
		return s.auditTask(ctx, inv, a.ARN, a.Actor)
	case event.ArchiveTaskDefinition:
		return s.archiveTask(ctx, inv, a.ARN)
	case event.AuditRepository:
		return s.auditRepository(ctx, inv, a)
	case event.ArchiveRepository:
		inv.batch.Archived = append(inv.batch.Archived, s.repositoryARN(a))
		return nil
	case event.AuditRegistry:
		return s.auditRegistry(ctx, inv)
	case event.AuditImage:
		return s.auditImage(ctx, inv, a)
	case event.ArchiveImage:
		inv.batch.Archived = append(inv.batch.Archived, s.imageARN(a))
		return nil
	case event.AuditResource:
		return s.auditResource(ctx, inv, a)
	case event.ArchiveResource:
		inv.batch.Archived = append(inv.batch.Archived, a.ARN)
		return s.forgetRunner(ctx, inv, a.ARN)
	case event.Sweep:
		s.checkTrail(ctx)
		_, err := s.Sweep(ctx, s.SweepOptions)
		return err
	default:
		log.Info("event ignored", "reason", a.Reason)
		return nil
	}
}

// checkTrail warns, in the log and with the NoCloudTrail metric, when no trail is logging: the auditors then never
// see an API call, and only sweeps find changes.
func (s *Service) checkTrail(ctx context.Context) {
	if s.Trail == nil {
		return
	}
	ok, err := source.TrailLogging(ctx, s.Trail)
	switch {
	case err != nil:
		s.Log.Warn("could not check for a CloudTrail trail", "error", err.Error())
	case !ok:
		s.Metrics.Add("NoCloudTrail", 1)
		s.Log.Warn("no CloudTrail trail is logging management events in this region: the auditors receive no API-call " +
			"events, so changes are found only by the scheduled sweep. Create a trail (see docs/deploy.md).")
	}
}

// add queues a resource's evaluation; readAt is a time no later than its read began.
func (s *Service) add(inv *invocation, r model.Resource, fs []engine.Finding, readAt time.Time) {
	inv.audited[r.ID()] = true
	ev := s.Engine.Reported(r, fs)
	ev.ObservedAt = readAt
	inv.batch.Evaluated = append(inv.batch.Evaluated, ev)
}

// auditTask audits one revision with the images it runs. A revision that cannot be described is archived only
// when a listing confirms it is gone; otherwise the error asks for a retry.
func (s *Service) auditTask(ctx context.Context, inv *invocation, arn, actor string) error {
	if inv.audited[arn] {
		return nil
	}
	if !source.HasRevision(arn) {
		// A RegisterTaskDefinition event whose response was cut names only the family: audit its latest ACTIVE
		// revision, found from the listing (describing a bare family may return a deregistered one).
		latest, err := s.Source.LatestActiveRevision(ctx, arn)
		if err != nil {
			return err
		}
		if latest == "" {
			return nil
		}
		arn = latest
	}
	readAt := s.Now().UTC()
	td, err := s.Source.TaskDefinition(ctx, arn)
	if err != nil {
		exists, lerr := s.Source.TaskDefinitionExists(ctx, arn)
		if lerr == nil && !exists {
			return s.archiveTask(ctx, inv, arn)
		}
		return err
	}
	if td.Def.Status != "" && td.Def.Status != ecstypes.TaskDefinitionStatusActive {
		return s.archiveTask(ctx, inv, td.ID())
	}
	td.TagsChangedBy = actor
	s.Source.ResolveImages(ctx, td)
	if err := s.withRunning(ctx, td); err != nil {
		return err
	}
	s.add(inv, td, s.Engine.EvaluateOne(td, inv.now), readAt)
	var digests []string
	for _, ref := range model.SortedKeys(td.Images) {
		l := td.Images[ref]
		if l.Image == nil {
			continue
		}
		digests = append(digests, aws.ToString(l.Image.Detail.ImageDigest))
		if !inv.audited[l.Image.ID()] {
			s.add(inv, l.Image, s.Engine.EvaluateOne(l.Image, inv.now), readAt)
		}
		if err := s.auditContents(ctx, inv, l.Image, td); err != nil {
			return err
		}
	}
	if s.Index != nil {
		if err := s.Index.Record(ctx, td.ID(), digests, inv.now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) archiveTask(ctx context.Context, inv *invocation, arn string) error {
	inv.batch.Archived = append(inv.batch.Archived, arn)
	if s.Index != nil {
		return s.Index.Forget(ctx, arn)
	}
	return nil
}

func (s *Service) registry(ctx context.Context, inv *invocation) (*model.Registry, error) {
	if inv.registry == nil {
		inv.registryReadAt = s.Now().UTC()
		g, err := s.Source.Registry(ctx)
		if err != nil {
			return nil, err
		}
		inv.registry = g
	}
	return inv.registry, nil
}

func (s *Service) auditRepository(ctx context.Context, inv *invocation, a event.Action) error {
	readAt := s.Now().UTC()
	g, err := s.registry(ctx, inv)
	if err != nil {
		return err
	}
	r, err := s.Source.Repository(ctx, a.RepositoryName, g)
	if errors.Is(err, source.ErrNotFound) {
		inv.batch.Archived = append(inv.batch.Archived, s.repositoryARN(a))
		return nil
	}
	if err != nil {
		return err
	}
	r.TagsChangedBy = a.Actor
	if inv.registryReadAt.Before(readAt) {
		// The registry's settings decide some of its findings, and they were read earlier in this invocation.
		readAt = inv.registryReadAt
	}
	s.add(inv, r, s.Engine.EvaluateOne(r, inv.now), readAt)
	return nil
}

// auditRegistry audits the registry and, since its scanning rules decide repo.scan-on-push-disabled, every repository.
func (s *Service) auditRegistry(ctx context.Context, inv *invocation) error {
	g, err := s.registry(ctx, inv)
	if err != nil {
		return err
	}
	s.add(inv, g, s.Engine.EvaluateOne(g, inv.now), inv.registryReadAt)
	repos, err := s.Source.Repositories(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, repo := range repos {
		r, err := s.Source.Complete(ctx, repo, g)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.add(inv, r, s.Engine.EvaluateOne(r, inv.now), inv.registryReadAt)
	}
	return errors.Join(errs...)
}

// auditImage audits an image that was pushed or scanned, if it is in scope (run by an audited revision, or the
// newest of its repository). When its scan fails the threshold, the revisions that run it are re-audited.
func (s *Service) auditImage(ctx context.Context, inv *invocation, a event.Action) error {
	readAt := s.Now().UTC()
	img, err := s.Source.Image(ctx, a.RegistryID, a.RepositoryName, a.ImageDigest)
	if errors.Is(err, source.ErrNotFound) {
		inv.batch.Archived = append(inv.batch.Archived, s.imageARN(a))
		return nil
	}
	if err != nil {
		return err
	}
	var users []string
	if s.Index != nil {
		if users, err = s.Index.Users(ctx, a.ImageDigest); err != nil {
			return err
		}
	}
	if len(users) == 0 {
		newest, err := s.Source.NewestImage(ctx, a.RegistryID, a.RepositoryName)
		if err != nil {
			return err
		}
		if newest != a.ImageDigest {
			s.Log.Info("image out of scope: not run by an audited revision nor the newest of its repository",
				"repository", a.RepositoryName, "digest", a.ImageDigest)
			inv.batch.Archived = append(inv.batch.Archived, img.ID())
			return nil
		}
	}
	fs := s.Engine.EvaluateOne(img, inv.now)
	s.add(inv, img, fs, readAt)
	var errs []error
	if err := s.auditContents(ctx, inv, img, nil); err != nil {
		errs = append(errs, err)
	}
	if !vulnerable(fs) {
		return errors.Join(errs...)
	}
	for _, arn := range users {
		if err := s.auditTask(ctx, inv, arn, ""); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func vulnerable(fs []engine.Finding) bool {
	for _, f := range fs {
		if f.Rule.Vulnerability && (f.Status == rule.Failed || f.Status == rule.Suppressed) {
			return true
		}
	}
	return false
}

func (s *Service) repositoryARN(a event.Action) string {
	if a.ARN != "" {
		return a.ARN
	}
	account := a.RegistryID
	if account == "" {
		account = s.Source.Account
	}
	return "arn:" + s.Source.Partition + ":ecr:" + s.Source.Region + ":" + account + ":repository/" + a.RepositoryName
}

func (s *Service) imageARN(a event.Action) string {
	account := a.RegistryID
	if account == "" {
		account = s.Source.Account
	}
	return model.ImageARN(s.Source.Partition, s.Source.Region, account, a.RepositoryName, a.ImageDigest)
}

func eventID(raw json.RawMessage) string {
	var e struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &e)
	return e.ID
}
