// Package publish is where every audit ends: its Sink sends findings to Security Hub and keeps their lifecycle
// right across invocations, with the finding state in DynamoDB (package state) as the memory, and announces new
// failures on SNS (Notifier). Security Hub is only ever written, never read.
//
// What is sent for each result, given what the state holds for its Id:
//
//   - FAILED, no record: created (ACTIVE, Workflow NEW). SUPPRESSED, no record: created with Workflow SUPPRESSED.
//   - FAILED or SUPPRESSED on an open finding: re-imported only when its content changed (a fingerprint of what
//     would be sent, timestamps aside) or its last import is older than 30 days, so that Security Hub's 90-day
//     retention never drops an open finding; otherwise left alone.
//   - FAILED or SUPPRESSED on an archived or passed finding: re-opened (ACTIVE, Compliance FAILED).
//   - PASSED on an open finding: resolved (Compliance PASSED, RecordState ARCHIVED). PASSED with nothing open is
//     sent only with Options.ReportPasses (then as an ACTIVE PASSED finding).
//   - NOT_AVAILABLE never overwrites an open FAILED finding (it stays FAILED; past 30 days it is refreshed from the
//     state) and never creates one. NOT_APPLICABLE is never sent.
//   - An open finding of an evaluated resource that the evaluation no longer produces (or finds NOT_APPLICABLE), and
//     every open finding of a resource given to ArchiveResources, is archived (RecordState ARCHIVED).
//
// Observation time decides. Each evaluation carries the time its resource was read (engine.Evaluated.ObservedAt);
// UpdatedAt and LastObservedAt are that time, and the state record keeps it. A result observed no later than the
// stored one is dropped (Security Hub would ignore its UpdatedAt, and the state keeps only what Security Hub keeps),
// and the state write is conditioned on the stored observation being older (state.Store.Put), so an invocation that
// read a resource before another never replaces the later result, whichever publishes last. CreatedAt and
// FirstObservedAt stay as first sent.
//
// Workflow: BatchImportFindings sets Workflow.Status only when it creates a finding; afterwards only
// BatchUpdateFindings can change it. The publisher therefore sends Workflow NEW only on creation and, whenever the
// status it wants (SUPPRESSED for a suppressed result, NEW otherwise) differs from the one it last set, calls
// BatchUpdateFindings after the import: a suppressed result created, a suppression added to or lifted from an
// existing finding, and a re-opened finding that was RESOLVED or SUPPRESSED. A suppression never travels in an
// import. It never touches a workflow status it did not set itself, so an analyst's
// choice in the console stands until the auditor's own view changes.
//
// Limits: at most 100 findings and 6 MB per BatchImportFindings call; a finding over 240 KB loses its resource
// details, and is rejected with an error naming it if that is not enough. Calls are paced at 10 per second with a
// burst of 30. Only the FailedFindings entries of a call are retried, with exponential backoff and a bounded number of
// attempts; what still fails is returned as an error naming the Ids, and their state is not advanced, so the next
// invocation sends them again. State is written only after Security Hub accepted a batch.
//
// A Publisher serves one invocation at a time; it is not safe for concurrent use.
package publish

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/pace"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

// Options configure a Publisher. The zero value of each field means its default.
type Options struct {
	// Account, Region and Partition name where findings are imported (the product ARN); findings whose resource
	// carries no account or region take these.
	Account, Region, Partition string
	// Version is the auditor version sent in ProductFields.
	Version string
	// ReportPasses also imports PASSED results that resolve nothing.
	ReportPasses bool
	// Lookup returns a rule's metadata; it is used to rebuild findings that are archived without a current result
	// (their rule title, description and remediation are not kept in the state). Usually Catalog.Lookup.
	Lookup func(ruleID string) *rule.Meta
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Sleep waits (default: a timer honouring the context). Tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxAttempts bounds the BatchImportFindings attempts for a failed finding (default 5).
	MaxAttempts int
	// Backoff is the first retry delay, doubled on each further attempt up to 20 s (default 500 ms).
	Backoff time.Duration
	// Rate and Burst pace Security Hub calls (default 10 per second, burst 30).
	Rate  float64
	Burst int
}

// Outcome says what one call did.
type Outcome struct {
	Created   int
	Updated   int
	Resolved  int
	Archived  int
	Reopened  int
	Unchanged int
	// Skipped counts results not sent by design: NOT_APPLICABLE, NOT_AVAILABLE without an open finding, and PASSED
	// that resolves nothing (unless ReportPasses).
	Skipped int
	// Stale counts results (and archives) not sent, or not stored, because a later observation of their resource
	// was already stored.
	Stale int
	// Failed lists the Ids Security Hub did not accept (their state was not advanced).
	Failed []string
	// Notify lists the FAILED (not suppressed) findings that are open after this call and whose current transition
	// (creation or re-opening) was never announced: what the notifier may announce.
	Notify []engine.Finding
}

// Publisher imports findings into Security Hub and keeps their state.
type Publisher struct {
	hub     *securityhub.Client
	store   *state.Store
	opts    Options
	pace    *pace.Pacer
	checked bool
	hubErr  error
}

// New returns a publisher.
func New(hub *securityhub.Client, store *state.Store, opts Options) *Publisher {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = pace.SleepContext
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 500 * time.Millisecond
	}
	if opts.Rate <= 0 {
		opts.Rate = 10
	}
	if opts.Burst <= 0 {
		opts.Burst = 30
	}
	pacer := pace.New(opts.Rate, opts.Burst)
	pacer.Now, pacer.Sleep = opts.Now, opts.Sleep
	return &Publisher{hub: hub, store: store, opts: opts, pace: pacer}
}

type kind int

const (
	kindCreated kind = iota + 1
	kindUpdated
	kindResolved
	kindArchived
	kindReopened
)

// item is one finding to send: an import, a workflow change, or both.
type item struct {
	kind kind
	// finding is nil when only the workflow changes.
	finding *types.AwsSecurityFinding
	// workflow is the status to set through BatchUpdateFindings, empty for none.
	workflow string
	// rec is the state to store once Security Hub accepted the item; prior is what was stored before.
	rec, prior *state.Record
	// result is the evaluated finding, nil when the item was rebuilt from the state.
	result *engine.Finding
}

// Publish sends the findings of the evaluated resources and archives their findings that are no longer produced.
// A resource whose stored state cannot be read, or whose findings cannot be built, is left out and named in the
// error; the other resources are still published, so a retry costs only what failed.
func (p *Publisher) Publish(ctx context.Context, evaluated []engine.Evaluated) (Outcome, error) {
	var out Outcome
	if err := p.checkHub(ctx); err != nil {
		return out, err
	}
	now := p.opts.Now()
	groups := mergeResources(evaluated)
	var ids []string
	for _, g := range groups {
		ids = append(ids, findingIDs(g)...)
	}
	var resources []string
	for _, g := range groups {
		resources = append(resources, g.ResourceID)
	}
	gone, err := p.store.GoneSince(ctx, resources)
	if err != nil {
		return out, err
	}
	// One batched read for all; when it fails, each resource's state is read on its own below.
	stored, err := p.store.Get(ctx, ids)
	if err != nil {
		stored = nil
	}
	var items []*item
	var unchanged []*engine.Finding
	var errs []error
	var seen []state.Seen
	observedOf := map[string]time.Time{}
	for _, g := range groups {
		observed := observation(g.ObservedAt, time.Time{}, now)
		if at, ok := gone[g.ResourceID]; ok && !observed.After(at) {
			// Read before it was found gone: its results would re-open what the archive closed.
			out.Stale += len(g.Findings)
			continue
		}
		st := stored
		if st == nil {
			if st, err = p.store.Get(ctx, findingIDs(g)); err != nil {
				errs = append(errs, fmt.Errorf("resource %s: read finding state: %w", g.ResourceID, err))
				continue
			}
		}
		its, same, err := p.resourceItems(ctx, g, st, now, observed, &seen, &out)
		if err != nil {
			errs = append(errs, fmt.Errorf("resource %s: %w", g.ResourceID, err))
			continue
		}
		observedOf[g.ResourceID] = observed
		items = append(items, its...)
		for _, f := range same {
			if r := st[f.ID()]; f.Status == rule.Failed && !r.Notified && r.Workflow != state.WorkflowSuppressed {
				unchanged = append(unchanged, f)
			}
		}
	}
	errs = append(errs, p.send(ctx, items, &out))
	// Unchanged results were observed again: a slower invocation that read the resource earlier must find its
	// result older than the stored one.
	changed, err := p.store.Observed(ctx, seen)
	errs = append(errs, err)
	if len(changed) > 0 {
		errs = append(errs, fmt.Errorf("%w: %s", errChangedMeanwhile, nameIDs(changed)))
	}
	errs = append(errs, p.archiveFoundGone(ctx, observedOf, &out))
	// Open failures that needed no call this time but were never notified (e.g. an earlier notification failed).
	for _, f := range unchanged {
		out.Notify = append(out.Notify, *f)
	}
	return out, errors.Join(errs...)
}

// errChangedMeanwhile means a stored finding changed between this invocation's read of it and its record of an
// unchanged result: the result must be decided again, against the new record (the event is retried).
var errChangedMeanwhile = errors.New("findings changed while being evaluated; evaluate again")

// archiveFoundGone archives the findings just published for resources found gone after they were read: an archive
// that ran between this call's check and its writes found nothing of them to archive. (The archive marks the
// resource gone before it reads its findings, and this call reads the marks after writing them, so one of the two
// sees the other.)
func (p *Publisher) archiveFoundGone(ctx context.Context, observedOf map[string]time.Time, out *Outcome) error {
	if len(observedOf) == 0 {
		return nil
	}
	ids := make([]string, 0, len(observedOf))
	for id := range observedOf {
		ids = append(ids, id)
	}
	gone, err := p.store.GoneSince(ctx, ids)
	if err != nil {
		return err
	}
	var errs []error
	for id, at := range gone {
		if !at.After(observedOf[id]) {
			continue
		}
		arch, err := p.ArchiveResourcesAt(ctx, []string{id}, at)
		out.Archived += arch.Archived
		out.Failed = append(out.Failed, arch.Failed...)
		errs = append(errs, err)
		for i := 0; i < len(out.Notify); i++ {
			if out.Notify[i].Subject.ID == id {
				out.Notify = append(out.Notify[:i], out.Notify[i+1:]...)
				i--
			}
		}
	}
	return errors.Join(errs...)
}

func findingIDs(g engine.Evaluated) []string {
	ids := make([]string, len(g.Findings))
	for i := range g.Findings {
		ids[i] = g.Findings[i].ID()
	}
	return ids
}

// resourceItems decides what one resource's findings need (stored is their state), and archives its open findings
// that are no longer produced. It returns the items to send and the open findings that need no call. The counts
// go to out only when the whole resource could be decided.
func (p *Publisher) resourceItems(ctx context.Context, g engine.Evaluated, stored map[string]*state.Record, now, observed time.Time, seen *[]state.Seen, out *Outcome) ([]*item, []*engine.Finding, error) {
	var again []state.Seen
	var items []*item
	var unchanged []*engine.Finding
	var counts Outcome
	produced := map[string]bool{}
	for i := range g.Findings {
		f := &g.Findings[i]
		if f.Status == rule.NotApplicable {
			counts.Skipped++
			continue
		}
		id := f.ID()
		produced[id] = true
		prior := stored[id]
		it, err := p.decide(f, prior, now, observed)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case it != nil:
			items = append(items, it)
		case prior != nil && stale(prior, observed):
			counts.Stale++
		case prior != nil && prior.Open():
			counts.Unchanged++
			unchanged = append(unchanged, f)
			if f.Status != rule.NotAvailable {
				again = append(again, state.Seen{FindingID: id, Prior: prior.ObservedAt, At: observed})
			}
		case prior != nil && f.Status == rule.Passed:
			counts.Unchanged++
			again = append(again, state.Seen{FindingID: id, Prior: prior.ObservedAt, At: observed})
		default:
			counts.Skipped++
		}
	}
	recs, err := p.store.ByResource(ctx, g.ResourceID)
	if err != nil {
		return nil, nil, fmt.Errorf("read its open findings: %w", err)
	}
	for _, r := range recs {
		if produced[r.FindingID] || r.RecordState != state.Active {
			continue
		}
		if stale(r, observed) {
			counts.Stale++
			continue
		}
		it, err := p.archive(r, g.Resource, "The auditor no longer reports this finding for the resource.", now, observed)
		if err != nil {
			return nil, nil, err
		}
		items = append(items, it)
	}
	out.Skipped += counts.Skipped
	out.Unchanged += counts.Unchanged
	out.Stale += counts.Stale
	*seen = append(*seen, again...)
	return items, unchanged, nil
}

// ArchiveResources archives every open finding of resources that were deleted or left the audit scope, found so
// now.
func (p *Publisher) ArchiveResources(ctx context.Context, resourceIDs []string) (Outcome, error) {
	return p.ArchiveResourcesAt(ctx, resourceIDs, time.Time{})
}

// ArchiveResourcesAt archives every open finding of resources found deleted or out of scope at observed (zero:
// now), leaving alone a finding stored from a later observation.
func (p *Publisher) ArchiveResourcesAt(ctx context.Context, resourceIDs []string, observed time.Time) (Outcome, error) {
	var out Outcome
	if err := p.checkHub(ctx); err != nil {
		return out, err
	}
	now := p.opts.Now()
	observed = observation(observed, time.Time{}, now)
	if err := p.store.MarkGone(ctx, resourceIDs, observed); err != nil {
		// Without the mark a slower evaluation could re-open what is archived here: retry the whole call.
		return out, err
	}
	var items []*item
	var errs []error
	seen := map[string]bool{}
	for _, id := range resourceIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		recs, err := p.store.ByResource(ctx, id)
		if err != nil {
			// The others are still archived; this one is retried with the rest of what failed.
			errs = append(errs, fmt.Errorf("resource %s: read its open findings: %w", id, err))
			continue
		}
		for _, r := range recs {
			if r.RecordState != state.Active {
				continue
			}
			if stale(r, observed) {
				out.Stale++
				continue
			}
			it, err := p.archive(r, nil, "The resource was deleted or left the audit scope.", now, observed)
			if err != nil {
				errs = append(errs, fmt.Errorf("resource %s: %w", id, err))
				continue
			}
			items = append(items, it)
		}
	}
	errs = append(errs, p.send(ctx, items, &out))
	return out, errors.Join(errs...)
}

// mergeResources groups results by resource, in first-seen order, keeping one result per finding Id.
func mergeResources(evaluated []engine.Evaluated) []engine.Evaluated {
	var out []engine.Evaluated
	index := map[string]int{}
	seen := map[string]bool{}
	for _, e := range evaluated {
		id := e.ResourceID
		if id == "" && len(e.Findings) > 0 {
			id = e.Findings[0].Subject.ID
		}
		if id == "" {
			continue
		}
		i, ok := index[id]
		if !ok {
			i = len(out)
			index[id] = i
			out = append(out, engine.Evaluated{ResourceID: id, Resource: e.Resource, ObservedAt: e.ObservedAt})
		}
		if !e.ObservedAt.IsZero() && (out[i].ObservedAt.IsZero() || e.ObservedAt.Before(out[i].ObservedAt)) {
			// Read twice in one batch: the earlier read is the one all its findings are sure to reflect.
			out[i].ObservedAt = e.ObservedAt
		}
		for _, f := range e.Findings {
			if f.Subject.ID == "" {
				// The subject is shared with the other findings of its resource: change a copy.
				sub := *f.Subject
				sub.ID = id
				f.Subject = &sub
			}
			fid := f.ID()
			if seen[fid] {
				continue
			}
			seen[fid] = true
			if out[i].Resource == nil && f.Subject.Resource != nil {
				out[i].Resource = f.Subject.Resource
			}
			out[i].Findings = append(out[i].Findings, f)
		}
	}
	return out
}
