package state

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// MemorySweeps keeps sweep records and checkpoints in memory, as Sweeps does in the table, for the CLI (which keeps
// nothing between runs), a service without a table, and tests. It is safe for
// concurrent use.
type MemorySweeps struct {
	mu          sync.Mutex
	records     map[string]*SweepRecord
	checkpoints map[string]Checkpoint
}

// NewMemorySweeps returns an empty store.
func NewMemorySweeps() *MemorySweeps {
	return &MemorySweeps{records: map[string]*SweepRecord{}, checkpoints: map[string]Checkpoint{}}
}

// Records is Sweeps.Records.
func (m *MemorySweeps) Records(_ context.Context, kind, account, region string) (map[string]*SweepRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]*SweepRecord{}
	for _, r := range m.records {
		if r.Kind == kind && r.Account == account && r.Region == region {
			c := *r
			out[r.ID] = &c
		}
	}
	return out, nil
}

// PutRecords is Sweeps.PutRecords.
func (m *MemorySweeps) PutRecords(_ context.Context, recs []*SweepRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range recs {
		c := *r
		m.records[recordPK(r.Kind, r.ID)] = &c
	}
	return nil
}

// DeleteRecords is Sweeps.DeleteRecords.
func (m *MemorySweeps) DeleteRecords(_ context.Context, recs []*SweepRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range recs {
		delete(m.records, recordPK(r.Kind, r.ID))
	}
	return nil
}

// Claim is Sweeps.Claim.
func (m *MemorySweeps) Claim(_ context.Context, key, owner string, until, now time.Time) (*Checkpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp := m.checkpoints[key]
	cp.Key = key
	if cp.Owner != "" && cp.Owner != owner && cp.LeaseUntil.After(now) {
		return nil, fmt.Errorf("%w: %s", ErrBusy, cp.Owner)
	}
	cp.Owner, cp.LeaseUntil = owner, until
	cp.Version++
	m.checkpoints[key] = cp
	return &cp, nil
}

// Save is Sweeps.Save.
func (m *MemorySweeps) Save(_ context.Context, cp *Checkpoint) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.checkpoints[cp.Key].Version != cp.Version {
		return fmt.Errorf("%w: checkpoint %s changed since version %d", ErrLeaseLost, cp.Key, cp.Version)
	}
	cp.Version++
	m.checkpoints[cp.Key] = *cp
	return nil
}

// IDs returns the IDs of the records of one kind, sorted (for tests and reports).
func (m *MemorySweeps) IDs(kind string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, r := range m.records {
		if r.Kind == kind {
			out = append(out, r.ID)
		}
	}
	sort.Strings(out)
	return out
}
