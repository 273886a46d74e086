// Package state owns the DynamoDB table in which the auditor keeps what it must remember between invocations.
// Security Hub is an output, never the store. Every item kind of the table is written and read here, with one
// attribute codec (codec.go):
//
//   - finding records (this file): per finding Id its status, severity, timestamps, and whether it was notified;
//   - baseline markers (open.go): whether the first full sweep of an account and region is done;
//   - the image-use index (images.go): which task definition revisions use which image digest;
//   - the running index (runs.go): which services and task sets run which revision, and whether publicly;
//   - sweep records and the sweep checkpoint with its lease (sweep.go).
//
// The table has a partition key pk (S), a sort key sk (S) and one global secondary index gsi1 (gsi1pk, gsi1sk, all
// attributes projected); it is billed on demand and expires items through the TTL attribute expiresAt. A finding is
// the item pk "FINDING#<finding Id>", sk "STATE", indexed under gsi1pk "RESOURCE#<resource Id>", gsi1sk "<finding Id>",
// so all findings of one resource come from one Query.
//
// A record never holds a secret, a finding's detail text or anything else quoted from a resource's configuration:
// only identifiers, statuses and times.
package state

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Key and index names of the state table. The SAM template declares the same schema.
const (
	PartitionKey    = "pk"
	SortKey         = "sk"
	IndexName       = "gsi1"
	IndexPartition  = "gsi1pk"
	IndexSort       = "gsi1sk"
	TTLAttribute    = "expiresAt"
	findingPrefix   = "FINDING#"
	resourcePrefix  = "RESOURCE#"
	findingSortKey  = "STATE"
	batchGetLimit   = 100
	batchWriteLimit = 25
	maxRetries      = 8
)

// Record states and workflow statuses as Security Hub names them.
const (
	Active             = "ACTIVE"
	Archived           = "ARCHIVED"
	WorkflowNew        = "NEW"
	WorkflowSuppressed = "SUPPRESSED"
	WorkflowResolved   = "RESOLVED"
)

// Compliance statuses as Security Hub names them.
const (
	ComplianceFailed       = "FAILED"
	CompliancePassed       = "PASSED"
	ComplianceNotAvailable = "NOT_AVAILABLE"
)

// Record is the remembered state of one finding Id.
type Record struct {
	FindingID string
	// Status is the engine status last sent (FAILED, PASSED, SUPPRESSED, NOT_AVAILABLE).
	Status rule.Status
	// Compliance is the Compliance.Status last sent.
	Compliance   string
	Severity     rule.Severity
	RuleID       string
	ResourceID   string
	ResourceType string
	Container    string
	Account      string
	Region       string
	// CreatedAt and FirstObservedAt stay as first sent for the life of the Id.
	CreatedAt       time.Time
	FirstObservedAt time.Time
	// LastImportedAt is when the finding was last accepted by BatchImportFindings.
	LastImportedAt time.Time
	// UpdatedAt is the last UpdatedAt sent; it follows ObservedAt.
	UpdatedAt time.Time
	// ObservedAt is when the resource behind the stored result was read. A record is only ever replaced by one of a
	// later observation (Put's condition), as Security Hub only takes a later UpdatedAt.
	ObservedAt  time.Time
	RecordState string
	// Workflow is the workflow status the auditor last set (on creation or through BatchUpdateFindings).
	Workflow string
	// Fingerprint is a hash of the finding as last sent, timestamps aside, to tell a changed finding from an
	// unchanged one without storing its text.
	Fingerprint string
	// Transition names the opening the finding is in: "c" and its creation time, or "r" and the UpdatedAt of the
	// closed record it re-opened. Concurrent invocations opening the same finding name it alike, so it is announced
	// once (ClaimNotification).
	Transition string
	// Notified says the current transition was announced (or baselined); Put never writes it.
	Notified   bool
	NotifiedAt time.Time
	// ExpiresAt, when set, lets DynamoDB delete the record (archived findings only).
	ExpiresAt time.Time
}

// Open reports whether the finding is an active failure in Security Hub (suppressed ones included).
func (r *Record) Open() bool { return r.RecordState == Active && r.Compliance == ComplianceFailed }

// Store reads and writes finding records.
type Store struct {
	db    DB
	table string
}

// New returns a store on the named table.
func New(db DB, table string) *Store { return &Store{db: db, table: table} }

// Images returns the image-use index kept in the same table.
func (s *Store) Images() *ImageIndex { return &ImageIndex{DB: s.db, Table: s.table} }

// Runs returns the running index kept in the same table.
func (s *Store) Runs() *Runs { return &Runs{DB: s.db, Table: s.table} }

// Sweeps returns the sweep records and checkpoints kept in the same table.
func (s *Store) Sweeps() *Sweeps { return &Sweeps{DB: s.db, Table: s.table} }

// Table returns the table name.
func (s *Store) Table() string { return s.table }

// Get reads the records of the given finding Ids with strongly consistent reads. Ids without a record are absent
// from the map.
func (s *Store) Get(ctx context.Context, ids []string) (map[string]*Record, error) {
	out := map[string]*Record{}
	seen := map[string]bool{}
	var keys []map[string]types.AttributeValue
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		keys = append(keys, findingKey(id))
	}
	for start := 0; start < len(keys); start += batchGetLimit {
		pending := map[string]types.KeysAndAttributes{
			s.table: {Keys: keys[start:min(start+batchGetLimit, len(keys))], ConsistentRead: aws.Bool(true)},
		}
		for attempt := 0; len(pending) > 0; attempt++ {
			if attempt > maxRetries {
				return nil, fmt.Errorf("read finding state: %d keys still unprocessed", len(pending[s.table].Keys))
			}
			if err := backoff(ctx, attempt); err != nil {
				return nil, err
			}
			resp, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
			if err != nil {
				return nil, fmt.Errorf("read finding state: %w", err)
			}
			for _, item := range resp.Responses[s.table] {
				rec, err := decode(item)
				if err != nil {
					return nil, err
				}
				out[rec.FindingID] = rec
			}
			pending = resp.UnprocessedKeys
		}
	}
	return out, nil
}

// ByResource returns every finding record of one resource, through the index (eventually consistent).
func (s *Store) ByResource(ctx context.Context, resourceID string) ([]*Record, error) {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(IndexName),
		KeyConditionExpression:    aws.String("#p = :p"),
		ExpressionAttributeNames:  map[string]string{"#p": IndexPartition},
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": str(resourcePrefix + resourceID)},
	})
	var out []*Record
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query findings of %s: %w", resourceID, err)
		}
		for _, item := range page.Items {
			rec, err := decode(item)
			if err != nil {
				return nil, err
			}
			out = append(out, rec)
		}
	}
	return out, nil
}

// Put writes records, each only over a record of an older observation (or none): an invocation that read its
// resource earlier never replaces what a later read stored. It returns the Ids whose write was refused for that
// reason. The notification attributes (ClaimNotification, MarkNotified) are never touched, so a concurrent write
// cannot reset a claim or a notification.
func (s *Store) Put(ctx context.Context, recs []*Record) (stale []string, err error) {
	for _, r := range recs {
		if r.FindingID == "" || r.ResourceID == "" {
			return nil, fmt.Errorf("write finding state: record without finding or resource Id (%q, %q)", r.FindingID, r.ResourceID)
		}
	}
	var mu sync.Mutex
	var errs []error
	each(recs, func(r *Record) {
		ok, err := s.put(ctx, r)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			errs = append(errs, err)
		case !ok:
			stale = append(stale, r.FindingID)
		}
	})
	return stale, errors.Join(errs...)
}

// recordAttributes are the attributes Put writes: all but the key and the notification attributes.
var recordAttributes = []string{
	IndexPartition, IndexSort, "status", "compliance", "severity", "ruleId", "resourceId", "resourceType", "container",
	"account", "region", "createdAt", "firstObservedAt", "lastImportedAt", "updatedAt", "observedAt", "recordState",
	"workflow", "fingerprint", "transition", TTLAttribute,
}

func (s *Store) put(ctx context.Context, r *Record) (bool, error) {
	item := encode(r)
	names := map[string]string{"#pk": PartitionKey, "#obs": "observedAt"}
	values := map[string]types.AttributeValue{":obs": str(FormatTime(r.ObservedAt))}
	var set, remove []string
	for i, a := range recordAttributes {
		ref := "#a" + strconv.Itoa(i)
		names[ref] = a
		if v, ok := item[a]; ok {
			values[":a"+strconv.Itoa(i)] = v
			set = append(set, ref+" = :a"+strconv.Itoa(i))
		} else {
			remove = append(remove, ref)
		}
	}
	expr := "SET " + strings.Join(set, ", ")
	if len(remove) > 0 {
		expr += " REMOVE " + strings.Join(remove, ", ")
	}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       findingKey(r.FindingID),
		UpdateExpression:          aws.String(expr),
		ConditionExpression:       aws.String("attribute_not_exists(#pk) OR attribute_not_exists(#obs) OR #obs < :obs"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	var newer *types.ConditionalCheckFailedException
	if errors.As(err, &newer) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("write finding state %s: %w", r.FindingID, err)
	}
	return true, nil
}

// each runs f over recs, a few at a time: a sweep's chunk writes hundreds of records, one conditional write each.
func each[T any](list []T, f func(T)) {
	const workers = 8
	var wg sync.WaitGroup
	next := make(chan T)
	for range min(workers, len(list)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range next {
				f(v)
			}
		}()
	}
	for _, v := range list {
		next <- v
	}
	close(next)
	wg.Wait()
}

// ClaimNotification claims the announcement of a finding's current transition for lease: it succeeds only when
// the stored record is an open, unsuppressed failure in that transition, not yet announced, and not claimed by
// another invocation whose lease still runs. Of concurrent invocations one wins; the others leave the finding out
// of their message.
func (s *Store) ClaimNotification(ctx context.Context, id, transition string, now time.Time, lease time.Duration) (bool, error) {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(s.table),
		Key:              findingKey(id),
		UpdateExpression: aws.String("SET #claim = :k, #until = :until"),
		ConditionExpression: aws.String("(#tr = :k OR attribute_not_exists(#tr)) AND #rs = :active AND #comp = :failed AND " +
			"(attribute_not_exists(#wf) OR #wf <> :sup) AND (attribute_not_exists(#nf) OR #nf <> :k) AND " +
			"(attribute_not_exists(#claim) OR #claim <> :k OR #until < :now)"),
		ExpressionAttributeNames: map[string]string{
			"#claim": "notifyClaim", "#until": "notifyClaimUntil", "#tr": "transition", "#rs": "recordState",
			"#comp": "compliance", "#wf": "workflow", "#nf": "notifiedFor",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":k": str(transition), ":until": str(FormatTime(now.Add(lease))), ":now": str(FormatTime(now)),
			":active": str(Active), ":failed": str(ComplianceFailed), ":sup": str(WorkflowSuppressed),
		},
	})
	var taken *types.ConditionalCheckFailedException
	if errors.As(err, &taken) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim notification of finding %s: %w", id, err)
	}
	return true, nil
}

// ReleaseNotification gives up a claim whose message could not be sent, so that a retry may claim it at once.
func (s *Store) ReleaseNotification(ctx context.Context, id, transition string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       findingKey(id),
		UpdateExpression:          aws.String("REMOVE #claim, #until"),
		ConditionExpression:       aws.String("#claim = :k"),
		ExpressionAttributeNames:  map[string]string{"#claim": "notifyClaim", "#until": "notifyClaimUntil"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":k": str(transition)},
	})
	var gone *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &gone) {
		return fmt.Errorf("release notification claim of finding %s: %w", id, err)
	}
	return nil
}

// Announced names a finding transition that was notified (or baselined).
type Announced struct{ FindingID, Transition string }

// MarkNotified records that the given finding transitions were notified (or baselined) at the given time, and
// drops their claims. A finding without a record, or whose record moved on to another transition, is skipped. A
// baseline of a large account marks thousands of findings, so the updates run a few at a time.
func (s *Store) MarkNotified(ctx context.Context, done []Announced, at time.Time) error {
	var mu sync.Mutex
	var errs []error
	each(done, func(a Announced) {
		if err := s.markNotified(ctx, a, at); err != nil {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
	})
	return errors.Join(errs...)
}

func (s *Store) markNotified(ctx context.Context, a Announced, at time.Time) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.table),
		Key:                 findingKey(a.FindingID),
		UpdateExpression:    aws.String("SET #nf = :k, #at = :at, #tr = if_not_exists(#tr, :k) REMOVE #claim, #until"),
		ConditionExpression: aws.String("attribute_exists(#pk) AND (#tr = :k OR attribute_not_exists(#tr))"),
		ExpressionAttributeNames: map[string]string{
			"#nf": "notifiedFor", "#at": "notifiedAt", "#pk": PartitionKey, "#tr": "transition",
			"#claim": "notifyClaim", "#until": "notifyClaimUntil",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{":k": str(a.Transition), ":at": str(FormatTime(at))},
	})
	var missing *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &missing) {
		return fmt.Errorf("mark finding %s notified: %w", a.FindingID, err)
	}
	return nil
}

// CreateTable creates the state table with exactly the schema the SAM template declares, waits until it is
// active and enables TTL on expiresAt. It is meant for tests and the demo; deployments use the template.
func CreateTable(ctx context.Context, db *dynamodb.Client, name string) error {
	s := types.ScalarAttributeTypeS
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(PartitionKey), AttributeType: s},
			{AttributeName: aws.String(SortKey), AttributeType: s},
			{AttributeName: aws.String(IndexPartition), AttributeType: s},
			{AttributeName: aws.String(IndexSort), AttributeType: s},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(PartitionKey), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(SortKey), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String(IndexName),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(IndexPartition), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(IndexSort), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	if err != nil {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	w := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = time.Second })
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 5*time.Minute); err != nil {
		return fmt.Errorf("wait for table %s: %w", name, err)
	}
	_, err = db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(TTLAttribute), Enabled: aws.Bool(true)},
	})
	if err != nil {
		return fmt.Errorf("enable TTL on %s: %w", name, err)
	}
	return nil
}

func findingKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{PartitionKey: str(findingPrefix + id), SortKey: str(findingSortKey)}
}

func encode(r *Record) map[string]types.AttributeValue {
	item := findingKey(r.FindingID)
	item[IndexPartition] = str(resourcePrefix + r.ResourceID)
	item[IndexSort] = str(r.FindingID)
	put := func(name, v string) {
		if v != "" {
			item[name] = str(v)
		}
	}
	putTime := func(name string, t time.Time) {
		if !t.IsZero() {
			item[name] = str(FormatTime(t))
		}
	}
	put("status", string(r.Status))
	put("compliance", r.Compliance)
	put("severity", string(r.Severity))
	put("ruleId", r.RuleID)
	put("resourceId", r.ResourceID)
	put("resourceType", r.ResourceType)
	put("container", r.Container)
	put("account", r.Account)
	put("region", r.Region)
	putTime("createdAt", r.CreatedAt)
	putTime("firstObservedAt", r.FirstObservedAt)
	putTime("lastImportedAt", r.LastImportedAt)
	putTime("updatedAt", r.UpdatedAt)
	putTime("observedAt", r.ObservedAt)
	put("recordState", r.RecordState)
	put("workflow", r.Workflow)
	put("fingerprint", r.Fingerprint)
	put("transition", r.Transition)
	if !r.ExpiresAt.IsZero() {
		item[TTLAttribute] = num(r.ExpiresAt.Unix())
	}
	return item
}

func decode(item map[string]types.AttributeValue) (*Record, error) {
	r := &Record{
		FindingID:    strings.TrimPrefix(stringAttr(item, PartitionKey), findingPrefix),
		Status:       rule.Status(stringAttr(item, "status")),
		Compliance:   stringAttr(item, "compliance"),
		Severity:     rule.Severity(stringAttr(item, "severity")),
		RuleID:       stringAttr(item, "ruleId"),
		ResourceID:   stringAttr(item, "resourceId"),
		ResourceType: stringAttr(item, "resourceType"),
		Container:    stringAttr(item, "container"),
		Account:      stringAttr(item, "account"),
		Region:       stringAttr(item, "region"),
		RecordState:  stringAttr(item, "recordState"),
		Workflow:     stringAttr(item, "workflow"),
		Fingerprint:  stringAttr(item, "fingerprint"),
		Transition:   stringAttr(item, "transition"),
	}
	legacyNotified := false
	if b, ok := item["notified"].(*types.AttributeValueMemberBOOL); ok {
		legacyNotified = b.Value
	}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{
		{"createdAt", &r.CreatedAt}, {"firstObservedAt", &r.FirstObservedAt}, {"lastImportedAt", &r.LastImportedAt},
		{"updatedAt", &r.UpdatedAt}, {"observedAt", &r.ObservedAt}, {"notifiedAt", &r.NotifiedAt},
	} {
		t, err := timeAttr(item, f.name)
		if err != nil {
			return nil, fmt.Errorf("finding state %w", err)
		}
		*f.dst = t
	}
	if n, ok := item[TTLAttribute].(*types.AttributeValueMemberN); ok {
		sec, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("finding state attribute %s: %w", TTLAttribute, err)
		}
		r.ExpiresAt = time.Unix(sec, 0).UTC()
	}
	if r.FindingID == "" {
		return nil, errors.New("finding state item without a finding Id")
	}
	if r.ObservedAt.IsZero() {
		r.ObservedAt = r.UpdatedAt
	}
	if r.Transition == "" && !r.CreatedAt.IsZero() {
		r.Transition = CreatedTransition(r.CreatedAt)
	}
	if nf := stringAttr(item, "notifiedFor"); nf != "" {
		r.Notified = nf == r.Transition
	} else {
		// Written before transitions were named: one flag, which stands for the creation's transition only.
		r.Notified = legacyNotified && r.Transition == CreatedTransition(r.CreatedAt)
	}
	return r, nil
}

// CreatedTransition names the transition of a finding's creation.
func CreatedTransition(created time.Time) string { return "c" + FormatTime(created) }

// ReopenedTransition names the re-opening of a finding whose closed record was last updated at closedUpdatedAt:
// invocations re-opening it concurrently read the same closed record and name the transition alike.
func ReopenedTransition(closedUpdatedAt time.Time) string { return "r" + FormatTime(closedUpdatedAt) }

// createdSortKey is the sort key of a finding's creation time, kept apart from its record.
const createdSortKey = "CREATED"

// createdTTL is how long a creation time is kept: it only has to outlive a failure between the import that
// created the finding and the write of its record, which carries the time from then on.
const createdTTL = 30 * 24 * time.Hour

// ReserveCreated returns the creation time of a finding: the one stored by the first call for its Id, or at when
// this call is the first. An import that creates the finding sends it, so CreatedAt and FirstObservedAt stay put
// when the record write after a successful import fails (or the function stops between the two), and concurrent
// invocations creating the same finding agree on it.
func (s *Store) ReserveCreated(ctx context.Context, id string, at time.Time) (time.Time, error) {
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      map[string]types.AttributeValue{PartitionKey: str(findingPrefix + id), SortKey: str(createdSortKey)},
		UpdateExpression:         aws.String("SET #c = if_not_exists(#c, :c), #ttl = :ttl"),
		ExpressionAttributeNames: map[string]string{"#c": "createdAt", "#ttl": TTLAttribute},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":c":   str(FormatTime(at)),
			":ttl": num(at.Add(createdTTL).Unix()),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("reserve creation time of finding %s: %w", id, err)
	}
	t, err := timeAttr(out.Attributes, "createdAt")
	if err != nil || t.IsZero() {
		return time.Time{}, fmt.Errorf("reserve creation time of finding %s: %v", id, err)
	}
	return t, nil
}

// Seen is an observation that changed nothing: the finding's stored result was read again at At.
type Seen struct {
	FindingID string
	// Prior is the observation time of the record the result was compared with.
	Prior, At time.Time
}

// Observed records that unchanged results were observed again, so that an evaluation read earlier (and published
// later) is recognised as older. Each write is conditioned on the record still being the one compared with; the
// Ids whose record changed meanwhile are returned: their results must be decided again.
func (s *Store) Observed(ctx context.Context, seen []Seen) (changed []string, err error) {
	var mu sync.Mutex
	var errs []error
	each(seen, func(o Seen) {
		_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                aws.String(s.table),
			Key:                      findingKey(o.FindingID),
			UpdateExpression:         aws.String("SET #obs = :t"),
			ConditionExpression:      aws.String("attribute_exists(#pk) AND (#obs = :prior OR (attribute_not_exists(#obs) AND #upd = :prior)) AND :prior < :t"),
			ExpressionAttributeNames: map[string]string{"#obs": "observedAt", "#pk": PartitionKey, "#upd": "updatedAt"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":t": str(FormatTime(o.At)), ":prior": str(FormatTime(o.Prior)),
			},
		})
		mu.Lock()
		defer mu.Unlock()
		var moved *types.ConditionalCheckFailedException
		switch {
		case errors.As(err, &moved):
			if o.At.After(o.Prior) {
				changed = append(changed, o.FindingID)
			}
		case err != nil:
			errs = append(errs, fmt.Errorf("record observation of finding %s: %w", o.FindingID, err))
		}
	})
	return changed, errors.Join(errs...)
}

// Reasserted records that the stored result was imported again with UpdatedAt equal to its observation time (after
// an older import replaced it in Security Hub), unless the record moved on meanwhile.
func (s *Store) Reasserted(ctx context.Context, id string, observed, importedAt time.Time, fingerprint string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      findingKey(id),
		UpdateExpression:         aws.String("SET #upd = :obs, #imp = :imp, #fp = :fp"),
		ConditionExpression:      aws.String("#obs = :obs"),
		ExpressionAttributeNames: map[string]string{"#upd": "updatedAt", "#imp": "lastImportedAt", "#fp": "fingerprint", "#obs": "observedAt"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":obs": str(FormatTime(observed)), ":imp": str(FormatTime(importedAt)), ":fp": str(fingerprint),
		},
	})
	var moved *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &moved) {
		return fmt.Errorf("record re-import of finding %s: %w", id, err)
	}
	return nil
}
