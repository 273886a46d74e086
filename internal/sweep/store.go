package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ecsaudit/ecsaudit/internal/state"
)

// Kinds of records the sweep keeps.
const (
	KindRevision   = "REVISION"
	KindImage      = "IMAGEAUDIT"
	KindRepository = "REPOSITORY"
	KindRegistry   = "REGISTRY"
)

// Record is what the sweep remembers of one audited resource: under which catalog version and configuration it was
// last audited and published, and what it needs to re-evaluate the resource's changing parts without reading it
// again. It holds identifiers and hashes only: never a value from a resource's configuration.
type Record struct {
	Kind    string
	ID      string
	Account string
	Region  string
	// Catalog and Config are the rule-catalog version and configuration hash of the last audit.
	Catalog string
	Config  string
	// AuditedAt is when the resource was last audited in full and published.
	AuditedAt time.Time
	// Verdict hashes the results that may change without the resource changing: a revision's image-dependent
	// results, an image's results.
	Verdict string
	// Input hashes what the audit read, when the listing shows it (a repository's description and registry scanning
	// configuration): a different input means the resource changed.
	Input string
	// Until is when the earliest suppression that applied expires: the resource is audited again after it.
	Until time.Time
	// Containers lists a revision's containers (name and image reference as written).
	Containers []Container `json:",omitempty"`
	// Digests are the image digests a revision's containers resolved to, sorted.
	Digests []string `json:",omitempty"`
}

// Container is one container of a revision: what the image-dependent rules read.
type Container struct {
	Name  string `json:"n"`
	Image string `json:"i"`
}

// Checkpoint is the progress of one sweep across invocations, with the lease that keeps two invocations from
// working on it at once.
type Checkpoint struct {
	Key string
	// SweepID names the sweep (its start time); a new sweep starts when the previous one is Done.
	SweepID string
	// Target is the index of the account and region being swept; Phase and Cursor say how far it got.
	Target int
	Phase  string
	// Cursor is the last revision ARN (in sorted order) whose results are published and recorded.
	Cursor string
	// Invocations counts the invocations that worked on this sweep.
	Invocations int
	Owner       string
	LeaseUntil  time.Time
	Version     int64
	Stats       Stats
}

// Phases of a sweep.
const (
	PhaseRevisions = "revisions"
	PhaseResources = "resources"
	PhaseDone      = "done"
)

// ErrBusy means another invocation holds the sweep's lease.
var ErrBusy = errors.New("another invocation holds the sweep lease")

// ErrLeaseLost means the lease was taken over (it expired while this invocation still worked).
var ErrLeaseLost = errors.New("sweep lease lost")

// Store keeps sweep records and checkpoints.
type Store interface {
	// Records returns the records of one kind for one account and region, by ID.
	Records(ctx context.Context, kind, account, region string) (map[string]*Record, error)
	// PutRecords writes records, replacing those with the same kind and ID.
	PutRecords(ctx context.Context, recs []*Record) error
	// DeleteRecords removes records.
	DeleteRecords(ctx context.Context, recs []*Record) error
	// Claim reads the checkpoint under key and takes its lease for owner until the given time. It fails with
	// ErrBusy while another owner's lease runs. A missing checkpoint is returned empty (Version 0).
	Claim(ctx context.Context, key, owner string, until, now time.Time) (*Checkpoint, error)
	// Save writes the checkpoint if its owner still holds the lease (ErrLeaseLost otherwise) and advances Version.
	Save(ctx context.Context, cp *Checkpoint) error
}

// DynamoAPI is the part of DynamoDB the sweep store calls.
type DynamoAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// TableStore keeps sweep records in the state table, beside the finding records (package state), as
//
//	pk "<KIND>#<resource ID>", sk "SWEEP", gsi1pk "SWEPT#<KIND>#<account>#<region>", gsi1sk "<resource ID>"
//
// so that one paginated Query of the index reads every record of a kind for an account and region (a sweep of
// 10,000 revisions reads about 3 MB in four pages), and the checkpoint as pk "SWEEP#<account>#<region>", sk
// "CHECKPOINT", read and written with strong consistency and conditional writes.
type TableStore struct {
	DB    DynamoAPI
	Table string
}

const (
	recordSortKey     = "SWEEP"
	checkpointSortKey = "CHECKPOINT"
)

func recordPK(kind, id string) string { return kind + "#" + id }

func recordIndex(kind, account, region string) string {
	return "SWEPT#" + kind + "#" + account + "#" + region
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// Records implements Store.
func (t *TableStore) Records(ctx context.Context, kind, account, region string) (map[string]*Record, error) {
	out := map[string]*Record{}
	p := dynamodb.NewQueryPaginator(t.DB, &dynamodb.QueryInput{
		TableName:                 aws.String(t.Table),
		IndexName:                 aws.String(state.IndexName),
		KeyConditionExpression:    aws.String("#p = :p"),
		ExpressionAttributeNames:  map[string]string{"#p": state.IndexPartition},
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(recordIndex(kind, account, region))},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read sweep records %s of %s in %s: %w", kind, account, region, err)
		}
		for _, it := range page.Items {
			rec, err := decodeRecord(it)
			if err != nil {
				return nil, err
			}
			out[rec.ID] = rec
		}
	}
	return out, nil
}

func encodeRecord(r *Record) (map[string]types.AttributeValue, error) {
	data, err := json.Marshal(struct {
		Containers []Container `json:"c,omitempty"`
		Digests    []string    `json:"d,omitempty"`
	}{r.Containers, r.Digests})
	if err != nil {
		return nil, fmt.Errorf("encode sweep record %s: %w", r.ID, err)
	}
	item := map[string]types.AttributeValue{
		state.PartitionKey:   s(recordPK(r.Kind, r.ID)),
		state.SortKey:        s(recordSortKey),
		state.IndexPartition: s(recordIndex(r.Kind, r.Account, r.Region)),
		state.IndexSort:      s(r.ID),
		"kind":               s(r.Kind),
		"resourceId":         s(r.ID),
		"account":            s(r.Account),
		"region":             s(r.Region),
		"auditedAt":          s(state.FormatTime(r.AuditedAt)),
		"data":               s(string(data)),
	}
	for k, v := range map[string]string{"catalog": r.Catalog, "config": r.Config, "verdict": r.Verdict, "input": r.Input} {
		if v != "" {
			item[k] = s(v)
		}
	}
	if !r.Until.IsZero() {
		item["until"] = s(state.FormatTime(r.Until))
	}
	return item, nil
}

func decodeRecord(item map[string]types.AttributeValue) (*Record, error) {
	r := &Record{
		Kind: str(item, "kind"), ID: str(item, "resourceId"), Account: str(item, "account"), Region: str(item, "region"),
		Catalog: str(item, "catalog"), Config: str(item, "config"), Verdict: str(item, "verdict"), Input: str(item, "input"),
	}
	if r.ID == "" || r.Kind == "" {
		return nil, fmt.Errorf("sweep record %q without kind or resource ID", str(item, state.PartitionKey))
	}
	var err error
	if r.AuditedAt, err = timeAttr(item, "auditedAt"); err != nil {
		return nil, err
	}
	if r.Until, err = timeAttr(item, "until"); err != nil {
		return nil, err
	}
	if d := str(item, "data"); d != "" {
		var data struct {
			Containers []Container `json:"c"`
			Digests    []string    `json:"d"`
		}
		if err := json.Unmarshal([]byte(d), &data); err != nil {
			return nil, fmt.Errorf("sweep record %s: data: %w", r.ID, err)
		}
		r.Containers, r.Digests = data.Containers, data.Digests
	}
	return r, nil
}

func str(item map[string]types.AttributeValue, name string) string {
	return state.StringAttr(item, name)
}

// timeAttr is state.TimeAttr, its error naming the sweep record.
func timeAttr(item map[string]types.AttributeValue, name string) (time.Time, error) {
	t, err := state.TimeAttr(item, name)
	if err != nil {
		return time.Time{}, fmt.Errorf("sweep record %w", err)
	}
	return t, nil
}

// PutRecords implements Store.
func (t *TableStore) PutRecords(ctx context.Context, recs []*Record) error {
	reqs := make([]types.WriteRequest, 0, len(recs))
	for _, r := range recs {
		item, err := encodeRecord(r)
		if err != nil {
			return err
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	return t.write(ctx, reqs)
}

// DeleteRecords implements Store.
func (t *TableStore) DeleteRecords(ctx context.Context, recs []*Record) error {
	reqs := make([]types.WriteRequest, 0, len(recs))
	for _, r := range recs {
		reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{
			state.PartitionKey: s(recordPK(r.Kind, r.ID)), state.SortKey: s(recordSortKey),
		}}})
	}
	return t.write(ctx, reqs)
}

// write sends requests 25 at a time, retrying unprocessed items with backoff.
func (t *TableStore) write(ctx context.Context, reqs []types.WriteRequest) error {
	return state.WriteAll(ctx, t.DB, t.Table, "sweep records", reqs)
}

func checkpointKey(key string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{state.PartitionKey: s(key), state.SortKey: s(checkpointSortKey)}
}

// Claim implements Store.
func (t *TableStore) Claim(ctx context.Context, key, owner string, until, now time.Time) (*Checkpoint, error) {
	out, err := t.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(t.Table), Key: checkpointKey(key), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read sweep checkpoint %s: %w", key, err)
	}
	cp := &Checkpoint{Key: key}
	if len(out.Item) > 0 {
		if cp, err = decodeCheckpoint(out.Item); err != nil {
			return nil, err
		}
	}
	if cp.Owner != "" && cp.Owner != owner && cp.LeaseUntil.After(now) {
		return nil, fmt.Errorf("%w: %s until %s", ErrBusy, cp.Owner, cp.LeaseUntil.Format(time.RFC3339))
	}
	prior := cp.Version
	cp.Owner, cp.LeaseUntil = owner, until
	if err := t.put(ctx, cp, "attribute_not_exists(#pk) OR #v = :v", prior); err != nil {
		if errors.Is(err, ErrLeaseLost) {
			return nil, fmt.Errorf("%w: claimed by another invocation at the same time", ErrBusy)
		}
		return nil, err
	}
	return cp, nil
}

// Save implements Store.
func (t *TableStore) Save(ctx context.Context, cp *Checkpoint) error {
	return t.put(ctx, cp, "#v = :v", cp.Version)
}

func (t *TableStore) put(ctx context.Context, cp *Checkpoint, condition string, prior int64) error {
	stats, err := json.Marshal(cp.Stats)
	if err != nil {
		return fmt.Errorf("encode sweep checkpoint: %w", err)
	}
	item := checkpointKey(cp.Key)
	item["sweepId"] = s(cp.SweepID)
	item["target"] = &types.AttributeValueMemberN{Value: strconv.Itoa(cp.Target)}
	item["phase"] = s(cp.Phase)
	item["cursor"] = s(cp.Cursor)
	item["invocations"] = &types.AttributeValueMemberN{Value: strconv.Itoa(cp.Invocations)}
	item["owner"] = s(cp.Owner)
	item["leaseUntil"] = s(state.FormatTime(cp.LeaseUntil))
	item["version"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(prior+1, 10)}
	item["stats"] = s(string(stats))
	names := map[string]string{"#v": "version"}
	if strings.Contains(condition, "#pk") {
		names["#pk"] = state.PartitionKey
	}
	_, err = t.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(t.Table),
		Item:                      item,
		ConditionExpression:       aws.String(condition),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: strconv.FormatInt(prior, 10)}},
	})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return fmt.Errorf("%w: checkpoint %s changed since version %d", ErrLeaseLost, cp.Key, prior)
	}
	if err != nil {
		return fmt.Errorf("write sweep checkpoint %s: %w", cp.Key, err)
	}
	cp.Version = prior + 1
	return nil
}

func decodeCheckpoint(item map[string]types.AttributeValue) (*Checkpoint, error) {
	cp := &Checkpoint{Key: str(item, state.PartitionKey), SweepID: str(item, "sweepId"), Phase: str(item, "phase"),
		Cursor: str(item, "cursor"), Owner: str(item, "owner")}
	num := func(name string) (int64, error) {
		n, ok := item[name].(*types.AttributeValueMemberN)
		if !ok {
			return 0, nil
		}
		v, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("sweep checkpoint attribute %s: %w", name, err)
		}
		return v, nil
	}
	var err error
	var target, inv int64
	if target, err = num("target"); err != nil {
		return nil, err
	}
	if inv, err = num("invocations"); err != nil {
		return nil, err
	}
	if cp.Version, err = num("version"); err != nil {
		return nil, err
	}
	cp.Target, cp.Invocations = int(target), int(inv)
	if cp.LeaseUntil, err = timeAttr(item, "leaseUntil"); err != nil {
		return nil, err
	}
	if st := str(item, "stats"); st != "" {
		if err := json.Unmarshal([]byte(st), &cp.Stats); err != nil {
			return nil, fmt.Errorf("sweep checkpoint stats: %w", err)
		}
	}
	return cp, nil
}

// MemoryStore is a Store in memory, for the CLI (which keeps nothing between runs) and tests. It is safe for
// concurrent use.
type MemoryStore struct {
	mu          sync.Mutex
	records     map[string]*Record
	checkpoints map[string]Checkpoint
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{records: map[string]*Record{}, checkpoints: map[string]Checkpoint{}}
}

// Records implements Store.
func (m *MemoryStore) Records(_ context.Context, kind, account, region string) (map[string]*Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]*Record{}
	for _, r := range m.records {
		if r.Kind == kind && r.Account == account && r.Region == region {
			c := *r
			out[r.ID] = &c
		}
	}
	return out, nil
}

// PutRecords implements Store.
func (m *MemoryStore) PutRecords(_ context.Context, recs []*Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range recs {
		c := *r
		m.records[recordPK(r.Kind, r.ID)] = &c
	}
	return nil
}

// DeleteRecords implements Store.
func (m *MemoryStore) DeleteRecords(_ context.Context, recs []*Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range recs {
		delete(m.records, recordPK(r.Kind, r.ID))
	}
	return nil
}

// Claim implements Store.
func (m *MemoryStore) Claim(_ context.Context, key, owner string, until, now time.Time) (*Checkpoint, error) {
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

// Save implements Store.
func (m *MemoryStore) Save(_ context.Context, cp *Checkpoint) error {
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
func (m *MemoryStore) IDs(kind string) []string {
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
