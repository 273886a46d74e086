package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/asff"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

// Limits of the finding lifecycle.
const (
	// refreshAfter re-imports an unchanged open finding before Security Hub's 90-day retention drops it.
	refreshAfter = 30 * 24 * time.Hour
	// archivedTTL is how long the state of an archived finding is kept (Security Hub keeps it no longer).
	archivedTTL = 90 * 24 * time.Hour
)

// decide returns what to send for one result given its stored record, or nil when nothing is to be sent.
func (p *Publisher) decide(f *engine.Finding, r *state.Record, now, observed time.Time) (*item, error) {
	if stale(r, observed) {
		return nil, nil
	}
	switch f.Status {
	case rule.NotAvailable:
		if r == nil || !r.Open() || now.Sub(r.LastImportedAt) < refreshAfter {
			return nil, nil
		}
		// Keep the stored failure alive in Security Hub without pretending it was seen again.
		restored := p.restore(r, f.Subject.Resource, "The latest evaluation could not complete; this is the last result seen.")
		it, err := p.build(restored, r, state.Active, now, observed)
		if err != nil {
			return nil, err
		}
		it.kind = kindUpdated
		return it, nil
	case rule.Passed:
		switch {
		case r != nil && r.Open():
			it, err := p.build(f, r, state.Archived, now, observed)
			if err != nil {
				return nil, err
			}
			it.kind = kindResolved
			return it, nil
		case r != nil && r.RecordState == state.Active && r.Compliance == state.CompliancePassed:
			return p.refresh(f, r, now, observed)
		case r == nil && p.opts.ReportPasses:
			it, err := p.build(f, nil, state.Active, now, observed)
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
			it, err := p.build(f, nil, state.Active, now, observed)
			if err != nil {
				return nil, err
			}
			it.kind = kindCreated
			if want != state.WorkflowNew {
				it.workflow = want
			}
			return it, nil
		case !r.Open():
			it, err := p.build(f, r, state.Active, now, observed)
			if err != nil {
				return nil, err
			}
			it.kind = kindReopened
			if workflowOf(r) != want {
				it.workflow = want
			}
			return it, nil
		}
		it, err := p.refresh(f, r, now, observed)
		if err != nil {
			return nil, err
		}
		if workflowOf(r) != want {
			if it == nil {
				it = &item{kind: kindUpdated, rec: copyRecord(r), prior: r, result: f}
				it.rec.ObservedAt = observed
			}
			it.workflow = want
		}
		return it, nil
	}
	return nil, nil
}

// refresh re-imports an active finding when what would be sent changed or its last import is old.
func (p *Publisher) refresh(f *engine.Finding, r *state.Record, now, observed time.Time) (*item, error) {
	it, err := p.build(f, r, state.Active, now, observed)
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
func (p *Publisher) archive(r *state.Record, res model.Resource, why string, now, observed time.Time) (*item, error) {
	it, err := p.build(p.restore(r, res, why), r, state.Archived, now, observed)
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
// after it is accepted. UpdatedAt is the time the resource was observed (decide has made sure it is later than the
// stored one); now is when it is imported.
func (p *Publisher) build(f *engine.Finding, prior *state.Record, recordState string, now, observed time.Time) (*item, error) {
	updated := observed
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
		ImportAccount: p.opts.Account, ImportRegion: p.opts.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("map finding %s: %w", f.ID(), err)
	}
	af.FirstObservedAt = aws.String(state.FormatTime(firstSeen))
	af.RecordState = types.RecordState(recordState)
	if prior != nil {
		// Security Hub ignores Workflow on an existing finding; BatchUpdateFindings changes it.
		af.Workflow = nil
	} else {
		// A new finding is imported NEW; a suppression is set through BatchUpdateFindings, as customers' (and
		// providers') changes to Workflow must be, never through the import (decide asks for it).
		af.Workflow = &types.Workflow{Status: types.WorkflowStatusNew}
	}
	rec := &state.Record{
		FindingID: f.ID(), Status: f.Status, Severity: f.Severity, RuleID: f.Rule.ID, ResourceID: f.Subject.ID,
		ResourceType: f.Subject.Type, Container: f.Container,
		Account: aws.ToString(af.AwsAccountId), Region: aws.ToString(af.Region),
		CreatedAt: created, FirstObservedAt: firstSeen, LastImportedAt: now, UpdatedAt: updated, ObservedAt: observed,
		RecordState: recordState, Fingerprint: fingerprint(af),
	}
	if af.Compliance != nil {
		rec.Compliance = string(af.Compliance.Status)
	}
	switch {
	case prior == nil:
		rec.Transition = state.CreatedTransition(created)
	case !prior.Open() && rec.Open():
		rec.Transition = state.ReopenedTransition(prior.UpdatedAt)
	default:
		rec.Transition = prior.Transition
	}
	if prior != nil {
		rec.Workflow = prior.Workflow
		if rec.Transition == prior.Transition {
			rec.Notified, rec.NotifiedAt = prior.Notified, prior.NotifiedAt
		}
	} else if af.Workflow != nil {
		rec.Workflow = string(af.Workflow.Status)
	}
	if recordState == state.Archived {
		rec.ExpiresAt = now.Add(archivedTTL)
	}
	return &item{finding: &af, rec: rec, prior: prior, result: f}, nil
}

// stale reports whether an observation made at observed is not newer than the one stored in r: then nothing is
// sent for it. Security Hub would ignore its older UpdatedAt, and the state must keep what Security Hub keeps.
func stale(r *state.Record, observed time.Time) bool {
	return r != nil && (!observed.After(r.ObservedAt) || !observed.After(r.UpdatedAt))
}

// observation is the time to stamp on what a resource's evaluation sends: when it was read, in milliseconds (as
// Security Hub and the state compare them), or now when the caller did not say.
func observation(at, fallback, now time.Time) time.Time {
	switch {
	case !at.IsZero():
		return at.UTC().Truncate(time.Millisecond)
	case !fallback.IsZero():
		return fallback.UTC().Truncate(time.Millisecond)
	}
	return now.UTC().Truncate(time.Millisecond)
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
