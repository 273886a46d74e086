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
// CreatedAt and FirstObservedAt stay as first sent; every UpdatedAt is strictly later than the stored one (the
// clock's time, or the stored time plus one millisecond when the clock is not ahead), because Security Hub silently
// ignores an update that is not newer.
//
// Workflow: BatchImportFindings sets Workflow.Status only when it creates a finding; afterwards only
// BatchUpdateFindings can change it. The publisher therefore sends Workflow only on creation and, whenever the
// status it wants (SUPPRESSED for a suppressed result, NEW otherwise) differs from the one it last set, calls
// BatchUpdateFindings after the import: a suppression added to or lifted from an existing finding, and a re-opened
// finding that was RESOLVED or SUPPRESSED. It never touches a workflow status it did not set itself, so an analyst's
// choice in the console stands until the auditor's own view changes.
//
// Limits: at most 100 findings and 6 MB per BatchImportFindings call; a finding over 240 KB loses its resource
// details, and is rejected with ErrFindingTooLarge if that is not enough. Calls are paced at 10 per second with a
// burst of 30. Only the FailedFindings entries of a call are retried, with exponential backoff and a bounded number of
// attempts; what still fails is returned as an error naming the Ids, and their state is not advanced, so the next
// invocation sends them again. State is written only after Security Hub accepted a batch.
//
// A Publisher serves one invocation at a time; it is not safe for concurrent use.
package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/asff"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/pace"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

// ErrSecurityHubNotEnabled means DescribeHub said Security Hub is not enabled in the account and region. Nothing
// else is called: enabling Security Hub, not retrying, is the fix.
var ErrSecurityHubNotEnabled = errors.New("security hub is not enabled in this account and region: enable it, then run again")

// ErrFindingTooLarge means a finding was over Security Hub's 240 KB limit even without its resource details.
var ErrFindingTooLarge = errors.New("finding larger than security hub accepts")

// ErrImportFailed means Security Hub kept refusing some findings after every retry.
var ErrImportFailed = errors.New("security hub did not accept findings")

// Limits of BatchImportFindings and of the finding lifecycle.
const (
	maxBatchFindings = 100
	// maxBatchBytes stays under the 6 MB request limit with room for the request's own framing.
	maxBatchBytes = 6_000_000
	// refreshAfter re-imports an unchanged open finding before Security Hub's 90-day retention drops it.
	refreshAfter = 30 * 24 * time.Hour
	// archivedTTL is how long the state of an archived finding is kept (Security Hub keeps it no longer).
	archivedTTL = 90 * 24 * time.Hour
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
	// Failed lists the Ids Security Hub did not accept (their state was not advanced).
	Failed []string
	// Notify lists the FAILED (not suppressed) findings that are open after this call and were never notified:
	// what the notifier may announce.
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
	// One batched read for all; when it fails, each resource's state is read on its own below.
	stored, err := p.store.Get(ctx, ids)
	if err != nil {
		stored = nil
	}
	var items []*item
	var unchanged []*engine.Finding
	var errs []error
	for _, g := range groups {
		st := stored
		if st == nil {
			if st, err = p.store.Get(ctx, findingIDs(g)); err != nil {
				errs = append(errs, fmt.Errorf("resource %s: read finding state: %w", g.ResourceID, err))
				continue
			}
		}
		its, same, err := p.resourceItems(ctx, g, st, now, &out)
		if err != nil {
			errs = append(errs, fmt.Errorf("resource %s: %w", g.ResourceID, err))
			continue
		}
		items = append(items, its...)
		for _, f := range same {
			if r := st[f.ID()]; f.Status == rule.Failed && !r.Notified && r.Workflow != state.WorkflowSuppressed {
				unchanged = append(unchanged, f)
			}
		}
	}
	errs = append(errs, p.send(ctx, items, &out))
	// Open failures that needed no call this time but were never notified (e.g. an earlier notification failed).
	for _, f := range unchanged {
		out.Notify = append(out.Notify, *f)
	}
	return out, errors.Join(errs...)
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
func (p *Publisher) resourceItems(ctx context.Context, g engine.Evaluated, stored map[string]*state.Record, now time.Time, out *Outcome) ([]*item, []*engine.Finding, error) {
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
		it, err := p.decide(f, prior, now)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case it != nil:
			items = append(items, it)
		case prior != nil && prior.Open():
			counts.Unchanged++
			unchanged = append(unchanged, f)
		case prior != nil && f.Status == rule.Passed:
			counts.Unchanged++
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
		it, err := p.archive(r, g.Resource, "The auditor no longer reports this finding for the resource.", now)
		if err != nil {
			return nil, nil, err
		}
		items = append(items, it)
	}
	out.Skipped += counts.Skipped
	out.Unchanged += counts.Unchanged
	return items, unchanged, nil
}

// ArchiveResources archives every open finding of resources that were deleted or left the audit scope.
func (p *Publisher) ArchiveResources(ctx context.Context, resourceIDs []string) (Outcome, error) {
	var out Outcome
	if err := p.checkHub(ctx); err != nil {
		return out, err
	}
	now := p.opts.Now()
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
			it, err := p.archive(r, nil, "The resource was deleted or left the audit scope.", now)
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

// checkHub calls DescribeHub once per Publisher.
func (p *Publisher) checkHub(ctx context.Context) error {
	if p.checked {
		return p.hubErr
	}
	if err := p.pace.Wait(ctx); err != nil {
		return err
	}
	_, err := p.hub.DescribeHub(ctx, &securityhub.DescribeHubInput{})
	var denied *types.InvalidAccessException
	switch {
	case errors.As(err, &denied):
		p.checked, p.hubErr = true, fmt.Errorf("%w (DescribeHub: %s)", ErrSecurityHubNotEnabled, denied.ErrorMessage())
	case err != nil:
		return fmt.Errorf("describe security hub: %w", err)
	default:
		p.checked = true
	}
	return p.hubErr
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
			out = append(out, engine.Evaluated{ResourceID: id, Resource: e.Resource})
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

// decide returns what to send for one result given its stored record, or nil when nothing is to be sent.
func (p *Publisher) decide(f *engine.Finding, r *state.Record, now time.Time) (*item, error) {
	switch f.Status {
	case rule.NotAvailable:
		if r == nil || !r.Open() || now.Sub(r.LastImportedAt) < refreshAfter {
			return nil, nil
		}
		// Keep the stored failure alive in Security Hub without pretending it was seen again.
		restored := p.restore(r, f.Subject.Resource, "The latest evaluation could not complete; this is the last result seen.")
		it, err := p.build(restored, r, state.Active, now)
		if err != nil {
			return nil, err
		}
		it.kind = kindUpdated
		return it, nil
	case rule.Passed:
		switch {
		case r != nil && r.Open():
			it, err := p.build(f, r, state.Archived, now)
			if err != nil {
				return nil, err
			}
			it.kind = kindResolved
			return it, nil
		case r != nil && r.RecordState == state.Active && r.Compliance == state.CompliancePassed:
			return p.refresh(f, r, now)
		case r == nil && p.opts.ReportPasses:
			it, err := p.build(f, nil, state.Active, now)
			if err != nil {
				return nil, err
			}
			it.kind = kindCreated
			return it, nil
		}
		return nil, nil
	case rule.Failed, rule.Suppressed:
		want := state.WorkflowNew
		if f.Status == rule.Suppressed {
			want = state.WorkflowSuppressed
		}
		switch {
		case r == nil:
			it, err := p.build(f, nil, state.Active, now)
			if err != nil {
				return nil, err
			}
			it.kind = kindCreated
			it.rec.Workflow = want
			return it, nil
		case !r.Open():
			it, err := p.build(f, r, state.Active, now)
			if err != nil {
				return nil, err
			}
			it.kind = kindReopened
			if workflowOf(r) != want {
				it.workflow = want
			}
			return it, nil
		}
		it, err := p.refresh(f, r, now)
		if err != nil {
			return nil, err
		}
		if workflowOf(r) != want {
			if it == nil {
				it = &item{kind: kindUpdated, rec: copyRecord(r), prior: r, result: f}
			}
			it.workflow = want
		}
		return it, nil
	}
	return nil, nil
}

// refresh re-imports an active finding when what would be sent changed or its last import is old.
func (p *Publisher) refresh(f *engine.Finding, r *state.Record, now time.Time) (*item, error) {
	it, err := p.build(f, r, state.Active, now)
	if err != nil {
		return nil, err
	}
	if it.rec.Fingerprint == r.Fingerprint && now.Sub(r.LastImportedAt) < refreshAfter {
		return nil, nil
	}
	it.kind = kindUpdated
	return it, nil
}

// archive archives a stored active finding that has no current result.
func (p *Publisher) archive(r *state.Record, res model.Resource, why string, now time.Time) (*item, error) {
	it, err := p.build(p.restore(r, res, why), r, state.Archived, now)
	if err != nil {
		return nil, err
	}
	it.kind = kindArchived
	return it, nil
}

// restore rebuilds a finding from its record and its rule's metadata: the state keeps no text of its own.
func (p *Publisher) restore(r *state.Record, res model.Resource, detail string) *engine.Finding {
	var meta *rule.Meta
	if p.opts.Lookup != nil {
		meta = p.opts.Lookup(r.RuleID)
	}
	if meta == nil {
		meta = &rule.Meta{ID: r.RuleID, Title: r.RuleID, Severity: r.Severity, ResourceType: r.ResourceType}
	}
	status := r.Status
	if status == "" {
		status = rule.Failed
	}
	// The finding's ID is derived from rule, resource and container, as r.FindingID was.
	return &engine.Finding{
		Rule: meta, Status: status, Severity: r.Severity, Container: r.Container, Detail: detail,
		Subject: &engine.Subject{
			Resource: res, Type: r.ResourceType, ID: r.ResourceID, Account: r.Account, Region: r.Region,
		},
	}
}

// build maps a finding for import with the lifecycle's timestamps and record state, and the record to store
// after it is accepted.
func (p *Publisher) build(f *engine.Finding, prior *state.Record, recordState string, now time.Time) (*item, error) {
	updated := NextUpdatedAt(now, prior)
	created, firstSeen := updated, updated
	if prior != nil && !prior.CreatedAt.IsZero() {
		created, firstSeen = prior.CreatedAt, prior.FirstObservedAt
		if firstSeen.IsZero() {
			firstSeen = created
		}
	}
	af, err := asff.Build(f, asff.Params{
		Version: p.opts.Version, CreatedAt: created, UpdatedAt: updated,
		Account: p.opts.Account, Region: p.opts.Region, Partition: p.opts.Partition,
	})
	if err != nil {
		return nil, fmt.Errorf("map finding %s: %w", f.ID(), err)
	}
	af.FirstObservedAt = aws.String(state.FormatTime(firstSeen))
	af.RecordState = types.RecordState(recordState)
	if prior != nil {
		// Security Hub ignores Workflow on an existing finding; BatchUpdateFindings changes it.
		af.Workflow = nil
	}
	rec := &state.Record{
		FindingID: f.ID(), Status: f.Status, Severity: f.Severity, RuleID: f.Rule.ID, ResourceID: f.Subject.ID,
		ResourceType: f.Subject.Type, Container: f.Container,
		Account: aws.ToString(af.AwsAccountId), Region: aws.ToString(af.Region),
		CreatedAt: created, FirstObservedAt: firstSeen, LastImportedAt: now, UpdatedAt: updated,
		RecordState: recordState, Fingerprint: fingerprint(af),
	}
	if af.Compliance != nil {
		rec.Compliance = string(af.Compliance.Status)
	}
	if prior != nil {
		rec.Workflow, rec.Notified, rec.NotifiedAt = prior.Workflow, prior.Notified, prior.NotifiedAt
	} else if af.Workflow != nil {
		rec.Workflow = string(af.Workflow.Status)
	}
	if recordState == state.Archived {
		rec.ExpiresAt = now.Add(archivedTTL)
	}
	return &item{finding: &af, rec: rec, prior: prior, result: f}, nil
}

// NextUpdatedAt returns the UpdatedAt to send now: the clock's time in milliseconds, or one millisecond after the
// stored UpdatedAt when the clock is not ahead of it (Security Hub ignores an update that is not strictly newer).
func NextUpdatedAt(now time.Time, prior *state.Record) time.Time {
	t := now.UTC().Truncate(time.Millisecond)
	if prior != nil && !t.After(prior.UpdatedAt) {
		return prior.UpdatedAt.UTC().Truncate(time.Millisecond).Add(time.Millisecond)
	}
	return t
}

// fingerprint hashes what would be sent apart from timestamps and workflow, to tell whether an open finding changed.
func fingerprint(f types.AwsSecurityFinding) string {
	f.CreatedAt, f.UpdatedAt, f.FirstObservedAt, f.LastObservedAt, f.ProcessedAt = nil, nil, nil, nil, nil
	f.Workflow = nil
	// Encoding SDK types with encoding/json cannot fail: they hold only strings, numbers, maps and slices.
	data, _ := json.Marshal(f)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

func workflowOf(r *state.Record) string {
	if r.Workflow == "" {
		return state.WorkflowNew
	}
	return r.Workflow
}

func copyRecord(r *state.Record) *state.Record {
	c := *r
	return &c
}

// send imports the items in batches, applies workflow changes, stores the accepted state and fills the outcome.
func (p *Publisher) send(ctx context.Context, items []*item, out *Outcome) error {
	var errs []error
	var imports, workflowOnly []*item
	for _, it := range items {
		if it.finding == nil {
			workflowOnly = append(workflowOnly, it)
			continue
		}
		if err := fitSize(it.finding); err != nil {
			out.Failed = append(out.Failed, it.rec.FindingID)
			errs = append(errs, err)
			continue
		}
		imports = append(imports, it)
	}
	var refused []refusal
	all := batches(imports)
	for n, batch := range all {
		accepted, failed, err := p.importBatch(ctx, batch)
		refused = append(refused, failed...)
		wfErr, putErr := p.finish(ctx, accepted, out)
		errs = append(errs, wfErr)
		if err != nil || putErr != nil {
			// Stop: the call itself failed or the state cannot be written; what was not stored is sent again next time.
			settled := map[string]bool{}
			for _, it := range accepted {
				settled[it.rec.FindingID] = putErr == nil
			}
			for _, r := range failed {
				settled[r.id] = true
			}
			for _, b := range all[n:] {
				for _, it := range b {
					if !settled[it.rec.FindingID] {
						out.Failed = append(out.Failed, it.rec.FindingID)
					}
				}
			}
			out.Failed = append(out.Failed, refusedIDs(refused)...)
			return errors.Join(append(errs, err, putErr)...)
		}
	}
	wfErr, putErr := p.finish(ctx, workflowOnly, out)
	errs = append(errs, wfErr, putErr)
	if len(refused) > 0 {
		out.Failed = append(out.Failed, refusedIDs(refused)...)
		var named []string
		for _, r := range refused {
			named = append(named, r.id+" ("+r.code+")")
		}
		errs = append(errs, fmt.Errorf("%w: %s", ErrImportFailed, nameIDs(named)))
	}
	return errors.Join(errs...)
}

// refusal is a finding Security Hub still refused after the last attempt.
type refusal struct{ id, code string }

func refusedIDs(refused []refusal) []string {
	out := make([]string, len(refused))
	for i, r := range refused {
		out[i] = r.id
	}
	return out
}

// finish applies the workflow changes of accepted items, stores their state and counts them. wfErr reports
// workflow changes Security Hub did not make (retried next time, the state keeps the old status); putErr a state
// write that failed (nothing counted).
func (p *Publisher) finish(ctx context.Context, accepted []*item, out *Outcome) (wfErr, putErr error) {
	if len(accepted) == 0 {
		return nil, nil
	}
	wfErr = p.updateWorkflows(ctx, accepted)
	recs := make([]*state.Record, 0, len(accepted))
	for _, it := range accepted {
		recs = append(recs, it.rec)
	}
	if err := p.store.Put(ctx, recs); err != nil {
		return wfErr, err
	}
	for _, it := range accepted {
		switch it.kind {
		case kindCreated:
			out.Created++
		case kindUpdated:
			out.Updated++
		case kindResolved:
			out.Resolved++
		case kindArchived:
			out.Archived++
		case kindReopened:
			out.Reopened++
		}
		if it.result != nil && it.result.Status == rule.Failed && it.rec.Open() && !it.rec.Notified &&
			it.rec.Workflow != state.WorkflowSuppressed {
			out.Notify = append(out.Notify, *it.result)
		}
	}
	return wfErr, nil
}

// updateWorkflows calls BatchUpdateFindings for the items that need a workflow change, at most 100 findings per call,
// and records the new status in each accepted item's record.
func (p *Publisher) updateWorkflows(ctx context.Context, items []*item) error {
	byStatus := map[string][]*item{}
	var order []string
	for _, it := range items {
		if it.workflow == "" {
			continue
		}
		if byStatus[it.workflow] == nil {
			order = append(order, it.workflow)
		}
		byStatus[it.workflow] = append(byStatus[it.workflow], it)
	}
	var errs []error
	for _, status := range order {
		list := byStatus[status]
		for start := 0; start < len(list); start += maxBatchFindings {
			chunk := list[start:min(start+maxBatchFindings, len(list))]
			byKey := map[string]*item{}
			var ids []types.AwsSecurityFindingIdentifier
			for _, it := range chunk {
				arn := p.productARN(it)
				byKey[arn+"\x00"+it.rec.FindingID] = it
				ids = append(ids, types.AwsSecurityFindingIdentifier{Id: aws.String(it.rec.FindingID), ProductArn: aws.String(arn)})
			}
			if err := p.pace.Wait(ctx); err != nil {
				return err
			}
			resp, err := p.hub.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
				FindingIdentifiers: ids,
				Workflow:           &types.WorkflowUpdate{Status: types.WorkflowStatus(status)},
			})
			if err != nil {
				errs = append(errs, fmt.Errorf("set workflow %s on %d findings: %w", status, len(chunk), err))
				continue
			}
			var unprocessed []string
			for _, u := range resp.UnprocessedFindings {
				if u.FindingIdentifier != nil {
					unprocessed = append(unprocessed, aws.ToString(u.FindingIdentifier.Id)+" ("+aws.ToString(u.ErrorCode)+")")
					delete(byKey, aws.ToString(u.FindingIdentifier.ProductArn)+"\x00"+aws.ToString(u.FindingIdentifier.Id))
				}
			}
			for _, it := range byKey {
				it.rec.Workflow = status
			}
			if len(unprocessed) > 0 {
				errs = append(errs, fmt.Errorf("set workflow %s: not processed: %s", status, nameIDs(unprocessed)))
			}
		}
	}
	return errors.Join(errs...)
}

func (p *Publisher) productARN(it *item) string {
	if it.finding != nil {
		return aws.ToString(it.finding.ProductArn)
	}
	account, region := it.rec.Account, it.rec.Region
	if p.opts.Account != "" {
		account = p.opts.Account
	}
	if p.opts.Region != "" {
		region = p.opts.Region
	}
	return asff.ProductARN(p.opts.Partition, region, account)
}

// fitSize keeps a finding under Security Hub's size limit by dropping resource details, or says it cannot.
func fitSize(f *types.AwsSecurityFinding) error {
	if asff.Size(*f) <= asff.MaxFindingSize {
		return nil
	}
	for i := range f.Resources {
		f.Resources[i].Details = nil
	}
	if n := asff.Size(*f); n > asff.MaxFindingSize {
		return fmt.Errorf("%w: %s is %d bytes (limit %d)", ErrFindingTooLarge, aws.ToString(f.Id), n, asff.MaxFindingSize)
	}
	return nil
}

// batches splits imports into BatchImportFindings calls of at most 100 findings and maxBatchBytes.
func batches(items []*item) [][]*item {
	var out [][]*item
	var cur []*item
	size := 0
	for _, it := range items {
		n := asff.Size(*it.finding) + 1
		if len(cur) == maxBatchFindings || (len(cur) > 0 && size+n > maxBatchBytes) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, it)
		size += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// importBatch imports one batch, retrying only the FailedFindings entries. It returns the accepted items and the
// Ids still refused after the last attempt; an error means the call itself failed and nothing is known accepted.
func (p *Publisher) importBatch(ctx context.Context, batch []*item) (accepted []*item, refused []refusal, err error) {
	pending := batch
	for attempt := 1; ; attempt++ {
		if err := p.pace.Wait(ctx); err != nil {
			return accepted, refused, err
		}
		fs := make([]types.AwsSecurityFinding, len(pending))
		for i, it := range pending {
			fs[i] = *it.finding
		}
		resp, err := p.hub.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: fs})
		if err != nil {
			return accepted, refused, fmt.Errorf("import %d findings: %w", len(fs), err)
		}
		failed := map[string]string{}
		for _, ff := range resp.FailedFindings {
			failed[aws.ToString(ff.Id)] = aws.ToString(ff.ErrorCode)
		}
		var retry []*item
		for _, it := range pending {
			code, bad := failed[it.rec.FindingID]
			switch {
			case !bad:
				accepted = append(accepted, it)
			case retryable(code) && attempt < p.opts.MaxAttempts:
				retry = append(retry, it)
			default:
				refused = append(refused, refusal{it.rec.FindingID, code})
			}
		}
		if len(retry) == 0 {
			return accepted, refused, nil
		}
		if err := p.opts.Sleep(ctx, p.backoff(attempt)); err != nil {
			for _, it := range retry {
				refused = append(refused, refusal{it.rec.FindingID, "not retried: " + err.Error()})
			}
			return accepted, refused, nil
		}
		pending = retry
	}
}

// retryable tells a transient per-finding failure from a finding Security Hub will never accept as sent.
func retryable(code string) bool {
	switch code {
	case "InvalidInput", "InvalidInputException", "AccessDenied", "AccessDeniedException", "InvalidAccessException":
		return false
	}
	return true
}

func (p *Publisher) backoff(attempt int) time.Duration {
	d := p.opts.Backoff << (attempt - 1)
	if d > 20*time.Second || d <= 0 {
		d = 20 * time.Second
	}
	return d
}

// nameIDs lists Ids for an error message, the first 20 of them.
func nameIDs(ids []string) string {
	sorted := append([]string(nil), ids...)
	sort.Strings(sorted)
	if len(sorted) <= 20 {
		return strings.Join(sorted, ", ")
	}
	return strings.Join(sorted[:20], ", ") + fmt.Sprintf(" and %d more", len(sorted)-20)
}
