package publish

import (
	"testing"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

// Observation time decides: a result read no later than the stored one is not sent (Security Hub ignores an
// UpdatedAt that is not newer, and the state keeps only what Security Hub keeps).
func TestStale(t *testing.T) {
	stored := time.Date(2025, 3, 1, 12, 0, 0, 500_000_000, time.UTC)
	rec := &state.Record{UpdatedAt: stored, ObservedAt: stored}
	tests := []struct {
		name     string
		observed time.Time
		prior    *state.Record
		want     bool
	}{
		{"new finding", stored, nil, false},
		{"observed later", stored.Add(time.Millisecond), rec, false},
		{"observed at the same time", stored, rec, true},
		{"observed earlier", stored.Add(-time.Hour), rec, true},
		{"workflow changed since, observed later", stored.Add(time.Second), &state.Record{UpdatedAt: stored.Add(-time.Hour), ObservedAt: stored}, false},
		{"updated later than observed", stored.Add(time.Second), &state.Record{UpdatedAt: stored.Add(time.Minute), ObservedAt: stored}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := stale(tt.prior, tt.observed); got != tt.want {
				t.Fatalf("stale = %v, want %v", got, tt.want)
			}
		})
	}
}

// decide's table: what is sent for each result status given what the state holds for its Id.
func TestDecide(t *testing.T) {
	td := taskDef("web", 1, nil, container{name: "app", privileged: true})
	var failed engine.Finding
	for _, f := range engine.New(testCatalog, nil).EvaluateOne(td, start) {
		if f.Rule.ID == "test.privileged" {
			failed = f
		}
	}
	with := func(st rule.Status) *engine.Finding {
		f := failed
		f.Status = st
		return &f
	}
	p := New(nil, nil, Options{Account: testAccount, Region: testRegion, Partition: "aws", Lookup: testCatalog.Lookup})
	// stored returns the record a finding with status st leaves once accepted, changed by edit.
	stored := func(st rule.Status, recordState string, edit func(r *state.Record)) *state.Record {
		it, err := p.build(with(st), nil, recordState, start, start)
		if err != nil {
			t.Fatal(err)
		}
		r := it.rec
		if edit != nil {
			edit(r)
		}
		return r
	}
	open := stored(rule.Failed, state.Active, nil)
	old := stored(rule.Failed, state.Active, func(r *state.Record) { r.LastImportedAt = start.Add(-31 * 24 * time.Hour) })
	changed := stored(rule.Failed, state.Active, func(r *state.Record) { r.Fingerprint = "other" })
	archived := stored(rule.Failed, state.Archived, nil)
	resolvedSuppressed := stored(rule.Failed, state.Archived, func(r *state.Record) { r.Workflow = state.WorkflowSuppressed })
	passed := stored(rule.Passed, state.Active, nil)
	suppressedNew := stored(rule.Suppressed, state.Active, func(r *state.Record) { r.Workflow = state.WorkflowNew })
	openSuppressed := stored(rule.Failed, state.Active, func(r *state.Record) { r.Workflow = state.WorkflowSuppressed })
	later := func(r *state.Record) { r.UpdatedAt, r.ObservedAt = start.Add(time.Minute), start.Add(time.Minute) }
	future := stored(rule.Failed, state.Active, later)
	futureArchived := stored(rule.Failed, state.Archived, later)
	tests := []struct {
		name         string
		status       rule.Status
		prior        *state.Record
		reportPasses bool
		// kind is 0 when nothing is sent; workflow is the BatchUpdateFindings status, empty for none.
		kind     kind
		workflow string
		// recWorkflow is the workflow stored after a creation's import, before any BatchUpdateFindings.
		recWorkflow string
		// noImport: only the workflow changes.
		noImport bool
	}{
		{name: "failed, new", status: rule.Failed, kind: kindCreated, recWorkflow: state.WorkflowNew},
		{name: "suppressed, new", status: rule.Suppressed, kind: kindCreated, recWorkflow: state.WorkflowNew, workflow: state.WorkflowSuppressed},
		{name: "failed, open and unchanged", status: rule.Failed, prior: open},
		{name: "failed, open and unchanged for 31 days", status: rule.Failed, prior: old, kind: kindUpdated},
		{name: "failed, open and changed", status: rule.Failed, prior: changed, kind: kindUpdated},
		{name: "suppressed, open", status: rule.Suppressed, prior: open, kind: kindUpdated, workflow: state.WorkflowSuppressed},
		{name: "suppressed, open and unchanged but NEW", status: rule.Suppressed, prior: suppressedNew, kind: kindUpdated, workflow: state.WorkflowSuppressed, noImport: true},
		{name: "failed, open and unchanged but SUPPRESSED", status: rule.Failed, prior: openSuppressed, kind: kindUpdated, workflow: state.WorkflowNew, noImport: true},
		{name: "failed, archived", status: rule.Failed, prior: archived, kind: kindReopened},
		{name: "failed, archived while suppressed", status: rule.Failed, prior: resolvedSuppressed, kind: kindReopened, workflow: state.WorkflowNew},
		{name: "passed, open", status: rule.Passed, prior: open, kind: kindResolved},
		{name: "passed, passed and unchanged", status: rule.Passed, prior: passed},
		{name: "passed, new", status: rule.Passed},
		{name: "passed, new, reporting passes", status: rule.Passed, reportPasses: true, kind: kindCreated},
		{name: "not available, new", status: rule.NotAvailable},
		{name: "not available, open", status: rule.NotAvailable, prior: open},
		{name: "not available, open for 31 days", status: rule.NotAvailable, prior: old, kind: kindUpdated},
		{name: "not applicable, open", status: rule.NotApplicable, prior: open},
		{name: "passed, open, observed before the stored failure", status: rule.Passed, prior: future},
		{name: "failed, archived, observed before the archive", status: rule.Failed, prior: futureArchived},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p.opts.ReportPasses = tt.reportPasses
			it, err := p.decide(with(tt.status), tt.prior, start, start.Add(time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if tt.kind == 0 {
				if it != nil {
					t.Fatalf("sent kind %d, want nothing", it.kind)
				}
				return
			}
			if it == nil {
				t.Fatalf("nothing sent, want kind %d", tt.kind)
			}
			if it.kind != tt.kind || it.workflow != tt.workflow || (it.finding == nil) != tt.noImport {
				t.Errorf("kind %d, workflow %q, import %v; want kind %d, workflow %q, import %v",
					it.kind, it.workflow, it.finding != nil, tt.kind, tt.workflow, !tt.noImport)
			}
			if it.finding != nil && it.finding.Workflow != nil && it.finding.Workflow.Status != "NEW" {
				t.Errorf("import carries Workflow %s: only BatchUpdateFindings may set anything but NEW", it.finding.Workflow.Status)
			}
			if tt.recWorkflow != "" && it.rec.Workflow != tt.recWorkflow {
				t.Errorf("stored workflow %q, want %q", it.rec.Workflow, tt.recWorkflow)
			}
		})
	}
}
