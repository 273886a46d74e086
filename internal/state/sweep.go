package state

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Kinds of sweep records.
const (
	KindRevision   = "REVISION"
	KindImage      = "IMAGEAUDIT"
	KindRepository = "REPOSITORY"
	KindRegistry   = "REGISTRY"
)

// SweepRecord is what the sweep remembers of one audited resource: under which catalog version and configuration it
// was last audited and published, and what it needs to re-evaluate the resource's changing parts without reading
// it again. It holds identifiers and hashes only: never a value from a resource's configuration.
type SweepRecord struct {
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
	Stats       SweepStats
}

// ErrBusy means another invocation holds the sweep's lease.
var ErrBusy = errors.New("another invocation holds the sweep lease")

// ErrLeaseLost means the lease was taken over (it expired while this invocation still worked).
var ErrLeaseLost = errors.New("sweep lease lost")

// Sweeps keeps sweep records in the state table, beside the finding records, as
//
//	pk "<KIND>#<resource ID>", sk "SWEEP", gsi1pk "SWEPT#<KIND>#<account>#<region>", gsi1sk "<resource ID>"
//
// so that one paginated Query of the index reads every record of a kind for an account and region (a sweep of
// 10,000 revisions reads about 3 MB in four pages), and the checkpoint as pk "SWEEP#<account>#<region>", sk
// "CHECKPOINT", read and written with strong consistency and conditional writes.
type Sweeps struct {
	DB    DB
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

// Records returns the records of one kind for one account and region, by ID.
func (t *Sweeps) Records(ctx context.Context, kind, account, region string) (map[string]*SweepRecord, error) {
	out := map[string]*SweepRecord{}
	p := dynamodb.NewQueryPaginator(t.DB, &dynamodb.QueryInput{
		TableName:                 aws.String(t.Table),
		IndexName:                 aws.String(IndexName),
		KeyConditionExpression:    aws.String("#p = :p"),
		ExpressionAttributeNames:  map[string]string{"#p": IndexPartition},
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": str(recordIndex(kind, account, region))},
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

func encodeRecord(r *SweepRecord) (map[string]types.AttributeValue, error) {
	data, err := json.Marshal(struct {
		Containers []Container `json:"c,omitempty"`
		Digests    []string    `json:"d,omitempty"`
	}{r.Containers, r.Digests})
	if err != nil {
		return nil, fmt.Errorf("encode sweep record %s: %w", r.ID, err)
	}
	item := map[string]types.AttributeValue{
		PartitionKey:   str(recordPK(r.Kind, r.ID)),
		SortKey:        str(recordSortKey),
		IndexPartition: str(recordIndex(r.Kind, r.Account, r.Region)),
		IndexSort:      str(r.ID),
		"kind":         str(r.Kind),
		"resourceId":   str(r.ID),
		"account":      str(r.Account),
		"region":       str(r.Region),
		"auditedAt":    str(FormatTime(r.AuditedAt)),
		"data":         str(string(data)),
	}
	for k, v := range map[string]string{"catalog": r.Catalog, "config": r.Config, "verdict": r.Verdict, "input": r.Input} {
		if v != "" {
			item[k] = str(v)
		}
	}
	if !r.Until.IsZero() {
		item["until"] = str(FormatTime(r.Until))
	}
	return item, nil
}

func decodeRecord(item map[string]types.AttributeValue) (*SweepRecord, error) {
	r := &SweepRecord{
		Kind: stringAttr(item, "kind"), ID: stringAttr(item, "resourceId"), Account: stringAttr(item, "account"), Region: stringAttr(item, "region"),
		Catalog: stringAttr(item, "catalog"), Config: stringAttr(item, "config"), Verdict: stringAttr(item, "verdict"), Input: stringAttr(item, "input"),
	}
	if r.ID == "" || r.Kind == "" {
		return nil, fmt.Errorf("sweep record %q without kind or resource ID", stringAttr(item, PartitionKey))
	}
	var err error
	if r.AuditedAt, err = sweepTime(item, "auditedAt"); err != nil {
		return nil, err
	}
	if r.Until, err = sweepTime(item, "until"); err != nil {
		return nil, err
	}
	if d := stringAttr(item, "data"); d != "" {
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

// sweepTime is timeAttr, its error naming the sweep record.
func sweepTime(item map[string]types.AttributeValue, name string) (time.Time, error) {
	t, err := timeAttr(item, name)
	if err != nil {
		return time.Time{}, fmt.Errorf("sweep record %w", err)
	}
	return t, nil
}

// PutRecords writes records, replacing those with the same kind and ID.
func (t *Sweeps) PutRecords(ctx context.Context, recs []*SweepRecord) error {
	reqs := make([]types.WriteRequest, 0, len(recs))
	for _, r := range recs {
		item, err := encodeRecord(r)
		if err != nil {
			return err
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	return writeAll(ctx, t.DB, t.Table, "sweep records", reqs)
}

// DeleteRecords removes records.
func (t *Sweeps) DeleteRecords(ctx context.Context, recs []*SweepRecord) error {
	reqs := make([]types.WriteRequest, 0, len(recs))
	for _, r := range recs {
		reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{
			PartitionKey: str(recordPK(r.Kind, r.ID)), SortKey: str(recordSortKey),
		}}})
	}
	return writeAll(ctx, t.DB, t.Table, "sweep records", reqs)
}

func checkpointKey(key string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{PartitionKey: str(key), SortKey: str(checkpointSortKey)}
}

// Claim reads the checkpoint under key and takes its lease for owner until the given time. It fails with ErrBusy
// while another owner's lease runs. A missing checkpoint is returned empty (Version 0).
func (t *Sweeps) Claim(ctx context.Context, key, owner string, until, now time.Time) (*Checkpoint, error) {
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

// Save writes the checkpoint if its owner still holds the lease (ErrLeaseLost otherwise) and advances Version.
func (t *Sweeps) Save(ctx context.Context, cp *Checkpoint) error {
	return t.put(ctx, cp, "#v = :v", cp.Version)
}

func (t *Sweeps) put(ctx context.Context, cp *Checkpoint, condition string, prior int64) error {
	stats, err := json.Marshal(cp.Stats)
	if err != nil {
		return fmt.Errorf("encode sweep checkpoint: %w", err)
	}
	item := checkpointKey(cp.Key)
	item["sweepId"] = str(cp.SweepID)
	item["target"] = num(int64(cp.Target))
	item["phase"] = str(cp.Phase)
	item["cursor"] = str(cp.Cursor)
	item["invocations"] = num(int64(cp.Invocations))
	item["owner"] = str(cp.Owner)
	item["leaseUntil"] = str(FormatTime(cp.LeaseUntil))
	item["version"] = num(prior + 1)
	item["stats"] = str(string(stats))
	item["writeId"] = str(rand.Text())
	names := map[string]string{"#v": "version"}
	if strings.Contains(condition, "#pk") {
		names["#pk"] = PartitionKey
	}
	_, err = t.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(t.Table),
		Item:                      item,
		ConditionExpression:       aws.String(condition),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": num(prior)},
	})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		// The SDK retries a write whose answer was lost; its retry then fails its own condition. The write is ours
		// when the stored checkpoint carries this write's own random writeId.
		if t.ownWrite(ctx, item) {
			cp.Version = prior + 1
			return nil
		}
		return fmt.Errorf("%w: checkpoint %s changed since version %d", ErrLeaseLost, cp.Key, prior)
	}
	if err != nil {
		return fmt.Errorf("write sweep checkpoint %s: %w", cp.Key, err)
	}
	cp.Version = prior + 1
	return nil
}

// ownWrite reports whether the stored checkpoint is the item this invocation sent: a write applied whose answer was
// lost.
func (t *Sweeps) ownWrite(ctx context.Context, sent map[string]types.AttributeValue) bool {
	out, err := t.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(t.Table),
		Key: map[string]types.AttributeValue{PartitionKey: sent[PartitionKey], SortKey: sent[SortKey]}, ConsistentRead: aws.Bool(true)})
	if err != nil || len(out.Item) == 0 {
		return false
	}
	return stringAttr(out.Item, "writeId") == stringAttr(sent, "writeId")
}

func decodeCheckpoint(item map[string]types.AttributeValue) (*Checkpoint, error) {
	cp := &Checkpoint{Key: stringAttr(item, PartitionKey), SweepID: stringAttr(item, "sweepId"), Phase: stringAttr(item, "phase"),
		Cursor: stringAttr(item, "cursor"), Owner: stringAttr(item, "owner")}
	num := func(name string) (int64, error) {
		v, err := numAttr(item, name)
		if err != nil {
			return 0, fmt.Errorf("sweep checkpoint %w", err)
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
	if cp.LeaseUntil, err = sweepTime(item, "leaseUntil"); err != nil {
		return nil, err
	}
	if st := stringAttr(item, "stats"); st != "" {
		if err := json.Unmarshal([]byte(st), &cp.Stats); err != nil {
			return nil, fmt.Errorf("sweep checkpoint stats: %w", err)
		}
	}
	return cp, nil
}

// SweepStats counts what a sweep did; a checkpoint keeps the whole sweep's.
type SweepStats struct {
	// Listed counts ACTIVE revisions listed; InScope those the mode keeps.
	Listed  int `json:"listed"`
	InScope int `json:"inScope"`
	// Described counts revisions described; Reused those judged from their records.
	Described int `json:"described"`
	Reused    int `json:"reused"`
	// New, Stale, Rules, ImageChanged and SuppressionExpired count why revisions were described.
	New                int `json:"new"`
	Stale              int `json:"stale"`
	Rules              int `json:"rules"`
	ImageChanged       int `json:"imageChanged"`
	SuppressionExpired int `json:"suppressionExpired"`
	// NotAvailable counts revisions that could not be described after every retry.
	NotAvailable int `json:"notAvailable"`
	// Images counts images in scope; ImagesPublished those whose results changed or were due.
	Images          int `json:"images"`
	ImagesPublished int `json:"imagesPublished"`
	// Repositories counts repositories; RepositoriesRead those read in full.
	Repositories     int `json:"repositories"`
	RepositoriesRead int `json:"repositoriesRead"`
	// DriftChecked counts repositories re-read although their listing showed no change; DriftFound those whose
	// results had changed.
	DriftChecked int `json:"driftChecked"`
	DriftFound   int `json:"driftFound"`
	// Archived counts resources whose findings were archived.
	Archived int `json:"archived"`
	// PublishErrors counts batches the sink refused.
	PublishErrors int `json:"publishErrors"`
	// RunningChanged counts revisions evaluated again in the same sweep because the estate changed their running
	// context (they are not counted again under Described or New).
	RunningChanged int `json:"runningChanged"`
}

// Plus returns the sum of two counts.
func (s SweepStats) Plus(o SweepStats) SweepStats {
	s.Listed += o.Listed
	s.InScope += o.InScope
	s.Described += o.Described
	s.Reused += o.Reused
	s.New += o.New
	s.Stale += o.Stale
	s.Rules += o.Rules
	s.ImageChanged += o.ImageChanged
	s.SuppressionExpired += o.SuppressionExpired
	s.NotAvailable += o.NotAvailable
	s.Images += o.Images
	s.ImagesPublished += o.ImagesPublished
	s.Repositories += o.Repositories
	s.RepositoriesRead += o.RepositoriesRead
	s.DriftChecked += o.DriftChecked
	s.DriftFound += o.DriftFound
	s.Archived += o.Archived
	s.PublishErrors += o.PublishErrors
	s.RunningChanged += o.RunningChanged
	return s
}
