package state_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/testenv/awstest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	awstest.Stop()
	os.Exit(code)
}

func newStore(t *testing.T) (*state.Store, *dynamodb.Client) {
	t.Helper()
	srv := awstest.Emulator(t)
	db := dynamodb.NewFromConfig(awstest.Config(srv.URL, "us-east-1"))
	if err := state.CreateTable(context.Background(), db, "state"); err != nil {
		t.Fatal(err)
	}
	return state.New(db, "state"), db
}

func TestCreateTableSchema(t *testing.T) {
	_, db := newStore(t)
	ctx := context.Background()
	out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("state")})
	if err != nil {
		t.Fatal(err)
	}
	tbl := out.Table
	keys := func(ks []types.KeySchemaElement) string {
		var s string
		for _, k := range ks {
			s += aws.ToString(k.AttributeName) + ":" + string(k.KeyType) + " "
		}
		return s
	}
	if got := keys(tbl.KeySchema); got != "pk:HASH sk:RANGE " {
		t.Errorf("table keys %q", got)
	}
	attrs := map[string]types.ScalarAttributeType{}
	for _, a := range tbl.AttributeDefinitions {
		attrs[aws.ToString(a.AttributeName)] = a.AttributeType
	}
	want := map[string]types.ScalarAttributeType{"pk": "S", "sk": "S", "gsi1pk": "S", "gsi1sk": "S"}
	if !reflect.DeepEqual(attrs, want) {
		t.Errorf("attribute definitions %v", attrs)
	}
	if len(tbl.GlobalSecondaryIndexes) != 1 {
		t.Fatalf("%d indexes", len(tbl.GlobalSecondaryIndexes))
	}
	gsi := tbl.GlobalSecondaryIndexes[0]
	if aws.ToString(gsi.IndexName) != "gsi1" || keys(gsi.KeySchema) != "gsi1pk:HASH gsi1sk:RANGE " || gsi.Projection.ProjectionType != types.ProjectionTypeAll {
		t.Errorf("index %s %s %v", aws.ToString(gsi.IndexName), keys(gsi.KeySchema), gsi.Projection.ProjectionType)
	}
	if tbl.BillingModeSummary == nil || tbl.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing %+v", tbl.BillingModeSummary)
	}
	ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("state")})
	if err != nil {
		t.Fatal(err)
	}
	if d := ttl.TimeToLiveDescription; d == nil || aws.ToString(d.AttributeName) != "expiresAt" || d.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Errorf("TTL %+v", d)
	}
}

func TestRecordRoundTripAndItemLayout(t *testing.T) {
	store, db := newStore(t)
	ctx := context.Background()
	at := time.Date(2025, 3, 1, 12, 0, 0, 123_000_000, time.UTC)
	rec := &state.Record{
		FindingID: "arn:aws:ecs:us-east-1:1:task-definition/web:1/task.privileged-container/app", Status: rule.Failed,
		Compliance: "FAILED", Severity: rule.High, RuleID: "task.privileged-container",
		ResourceID: "arn:aws:ecs:us-east-1:1:task-definition/web:1", ResourceType: "AwsEcsTaskDefinition", Container: "app",
		Account: "111122223333", Region: "us-east-1", CreatedAt: at, FirstObservedAt: at, LastImportedAt: at.Add(time.Hour),
		UpdatedAt: at.Add(time.Hour), ObservedAt: at.Add(time.Hour), RecordState: "ARCHIVED", Workflow: "SUPPRESSED",
		Fingerprint: "abc", Transition: state.CreatedTransition(at), ExpiresAt: at.Add(90 * 24 * time.Hour).Truncate(time.Second),
	}
	if stale, err := store.Put(ctx, []*state.Record{rec}); err != nil || len(stale) != 0 {
		t.Fatal(stale, err)
	}
	if err := store.MarkNotified(ctx, []state.Announced{{FindingID: rec.FindingID, Transition: rec.Transition}}, at.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	rec.Notified, rec.NotifiedAt = true, at.Add(2*time.Hour)
	got, err := store.Get(ctx, []string{rec.FindingID, "absent"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !reflect.DeepEqual(got[rec.FindingID], rec) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got[rec.FindingID], rec)
	}
	item, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("state"), Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "FINDING#" + rec.FindingID}, "sk": &types.AttributeValueMemberS{Value: "STATE"},
	}})
	if err != nil || item.Item == nil {
		t.Fatalf("item under its documented key: %v", err)
	}
	for name, want := range map[string]string{
		"gsi1pk": "RESOURCE#" + rec.ResourceID, "gsi1sk": rec.FindingID, "createdAt": "2025-03-01T12:00:00.123Z",
		"status": "FAILED", "recordState": "ARCHIVED",
	} {
		if v, ok := item.Item[name].(*types.AttributeValueMemberS); !ok || v.Value != want {
			t.Errorf("attribute %s = %v, want %q", name, item.Item[name], want)
		}
	}
	if v, ok := item.Item["expiresAt"].(*types.AttributeValueMemberN); !ok || v.Value != fmt.Sprint(rec.ExpiresAt.Unix()) {
		t.Errorf("expiresAt %v", item.Item["expiresAt"])
	}
}

func TestByResourceAndBatching(t *testing.T) {
	store, _ := newStore(t)
	ctx := context.Background()
	var recs []*state.Record
	var ids []string
	for i := range 130 {
		res := "res-a"
		if i%2 == 1 {
			res = "res-b"
		}
		id := fmt.Sprintf("%s/rule-%03d", res, i)
		ids = append(ids, id)
		recs = append(recs, &state.Record{FindingID: id, ResourceID: res, RecordState: "ACTIVE", Compliance: "FAILED"})
	}
	if _, err := store.Put(ctx, recs); err != nil {
		t.Fatal(err)
	}
	got, err := store.Get(ctx, ids)
	if err != nil || len(got) != 130 {
		t.Fatalf("Get of 130 Ids: %d records, %v", len(got), err)
	}
	a, err := store.ByResource(ctx, "res-a")
	if err != nil {
		t.Fatal(err)
	}
	var aIDs []string
	for _, r := range a {
		if r.ResourceID != "res-a" {
			t.Errorf("record of %s under res-a", r.ResourceID)
		}
		aIDs = append(aIDs, r.FindingID)
	}
	if len(aIDs) != 65 || !sort.StringsAreSorted(aIDs) || !a[0].Open() {
		t.Errorf("res-a: %d records", len(aIDs))
	}
	if none, err := store.ByResource(ctx, "res-c"); err != nil || len(none) != 0 {
		t.Errorf("unknown resource: %v %v", none, err)
	}
}

func TestMarkNotified(t *testing.T) {
	store, _ := newStore(t)
	ctx := context.Background()
	var recs []*state.Record
	var ids []string
	for i := range 30 {
		id := fmt.Sprintf("f%d", i)
		ids = append(ids, id)
		recs = append(recs, &state.Record{FindingID: id, ResourceID: "r", Status: rule.Failed, Transition: "c1"})
	}
	if _, err := store.Put(ctx, recs); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var marks []state.Announced
	for _, id := range append(ids[:29:29], "never-stored") {
		marks = append(marks, state.Announced{FindingID: id, Transition: "c1"})
	}
	if err := store.MarkNotified(ctx, marks, at); err != nil {
		t.Fatal(err)
	}
	got, err := store.Get(ctx, append(ids, "never-stored"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[:29] {
		if r := got[id]; r == nil || !r.Notified || !r.NotifiedAt.Equal(at) || r.Status != rule.Failed || r.ResourceID != "r" {
			t.Errorf("%s after marking: %+v", id, r)
		}
	}
	if r := got["f29"]; r == nil || r.Notified {
		t.Errorf("an Id not given was marked: %+v", r)
	}
	if got["never-stored"] != nil {
		t.Error("marking an unknown Id created a record")
	}
}

func TestOpenResources(t *testing.T) {
	store, db := newStore(t)
	ctx := context.Background()
	_, err := store.Put(ctx, []*state.Record{
		{FindingID: "a1", ResourceID: "res-a", RecordState: "ACTIVE"},
		{FindingID: "a2", ResourceID: "res-a", RecordState: "ARCHIVED"},
		{FindingID: "b1", ResourceID: "res-b", RecordState: "ARCHIVED"},
		{FindingID: "c1", ResourceID: "res-c", RecordState: "ACTIVE"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Another item kind in the same table is not a finding.
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("state"), Item: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "IMAGE#sha256:abc"}, "sk": &types.AttributeValueMemberS{Value: "x"},
		"resourceId": &types.AttributeValueMemberS{Value: "res-image"}, "recordState": &types.AttributeValueMemberS{Value: "ACTIVE"},
	}}); err != nil {
		t.Fatal(err)
	}
	got, err := store.OpenResources(ctx)
	if err != nil || fmt.Sprint(got) != "[res-a res-c]" {
		t.Fatalf("open resources %v %v, want [res-a res-c]", got, err)
	}
}

// An older observation never replaces a newer one, whichever is written last; the notification of a transition is
// not reset by a later write of the same transition.
func TestPutKeepsTheNewerObservation(t *testing.T) {
	store, _ := newStore(t)
	ctx := context.Background()
	t1 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Second)
	rec := func(at time.Time, status rule.Status, compliance string) *state.Record {
		return &state.Record{FindingID: "f", ResourceID: "r", Status: status, Compliance: compliance, RecordState: "ACTIVE",
			CreatedAt: t1, UpdatedAt: at, ObservedAt: at, Transition: state.CreatedTransition(t1)}
	}
	if stale, err := store.Put(ctx, []*state.Record{rec(t2, rule.Failed, "FAILED")}); err != nil || len(stale) != 0 {
		t.Fatalf("first write: stale %v, %v", stale, err)
	}
	if err := store.MarkNotified(ctx, []state.Announced{{FindingID: "f", Transition: state.CreatedTransition(t1)}}, t2); err != nil {
		t.Fatal(err)
	}
	stale, err := store.Put(ctx, []*state.Record{rec(t1, rule.Passed, "PASSED")})
	if err != nil || fmt.Sprint(stale) != "[f]" {
		t.Fatalf("older observation: stale %v, %v; want [f]", stale, err)
	}
	if stale, err := store.Put(ctx, []*state.Record{rec(t2, rule.Passed, "PASSED")}); err != nil || len(stale) != 1 {
		t.Fatalf("same observation again: stale %v, %v; want it refused", stale, err)
	}
	got, err := store.Get(ctx, []string{"f"})
	if err != nil {
		t.Fatal(err)
	}
	if r := got["f"]; r.Status != rule.Failed || !r.ObservedAt.Equal(t2) || !r.Notified {
		t.Fatalf("stored %+v, want the FAILED result observed at %v, notified", r, t2)
	}
	t3 := t2.Add(time.Second)
	if stale, err := store.Put(ctx, []*state.Record{rec(t3, rule.Failed, "FAILED")}); err != nil || len(stale) != 0 {
		t.Fatalf("newer observation: stale %v, %v", stale, err)
	}
	if got, _ := store.Get(ctx, []string{"f"}); !got["f"].ObservedAt.Equal(t3) || !got["f"].Notified {
		t.Fatalf("after a newer write of the same transition: %+v, want observed %v and still notified", got["f"], t3)
	}
}

// Of several claims on one transition, one wins; a released claim can be taken again; a lapsed one too; a
// notified transition cannot be claimed; a new transition can.
func TestClaimNotification(t *testing.T) {
	store, _ := newStore(t)
	ctx := context.Background()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tr := state.CreatedTransition(now)
	put := func(r *state.Record) {
		t.Helper()
		if _, err := store.Put(ctx, []*state.Record{r}); err != nil {
			t.Fatal(err)
		}
	}
	open := &state.Record{FindingID: "f", ResourceID: "r", Status: rule.Failed, Compliance: "FAILED", RecordState: "ACTIVE",
		CreatedAt: now, UpdatedAt: now, ObservedAt: now, Transition: tr}
	put(open)
	claim := func(transition string, at time.Time) bool {
		t.Helper()
		ok, err := store.ClaimNotification(ctx, "f", transition, at, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	var wins int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := store.ClaimNotification(ctx, "f", tr, now, time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d of 6 concurrent claims won, want 1", wins)
	}
	if claim(tr, now.Add(30*time.Second)) {
		t.Fatal("a claim was taken while another's lease runs")
	}
	if !claim(tr, now.Add(2*time.Minute)) {
		t.Fatal("a lapsed claim could not be taken")
	}
	if err := store.ReleaseNotification(ctx, "f", tr); err != nil {
		t.Fatal(err)
	}
	if !claim(tr, now.Add(2*time.Minute)) {
		t.Fatal("a released claim could not be taken")
	}
	if claim("c-other", now.Add(10*time.Minute)) {
		t.Fatal("a claim on a transition the record is not in was taken")
	}
	if err := store.MarkNotified(ctx, []state.Announced{{FindingID: "f", Transition: tr}}, now); err != nil {
		t.Fatal(err)
	}
	if claim(tr, now.Add(time.Hour)) {
		t.Fatal("a notified transition was claimed again")
	}
	later := now.Add(time.Hour)
	reopened := *open
	reopened.UpdatedAt, reopened.ObservedAt, reopened.Transition = later, later, state.ReopenedTransition(now)
	put(&reopened)
	if !claim(reopened.Transition, later) {
		t.Fatal("the claim of a new transition was refused")
	}
	suppressed := reopened
	suppressed.Workflow = "SUPPRESSED"
	suppressed.UpdatedAt, suppressed.ObservedAt = later.Add(time.Second), later.Add(time.Second)
	put(&suppressed)
	if err := store.ReleaseNotification(ctx, "f", reopened.Transition); err != nil {
		t.Fatal(err)
	}
	if claim(reopened.Transition, later.Add(time.Minute)) {
		t.Fatal("a suppressed finding was claimed")
	}
}

// A gone marker keeps the latest time; resources never marked are absent.
func TestGoneMarkers(t *testing.T) {
	store, _ := newStore(t)
	ctx := context.Background()
	t1 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := store.MarkGone(ctx, []string{"r1", "r2"}, t1.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkGone(ctx, []string{"r1"}, t1); err != nil {
		t.Fatal(err)
	}
	got, err := store.GoneSince(ctx, []string{"r1", "r2", "r3", "r1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got["r1"].Equal(t1.Add(time.Hour)) || !got["r2"].Equal(t1.Add(time.Hour)) {
		t.Fatalf("gone since %v: want r1 and r2 at %v, the later mark kept", got, t1.Add(time.Hour))
	}
	if open, err := store.OpenResources(ctx); err != nil || len(open) != 0 {
		t.Errorf("gone markers taken for findings: %v %v", open, err)
	}
}

// An unchanged result moves the observation on only over the record it was compared with.
func TestObservedOnlyOverTheRecordCompared(t *testing.T) {
	store, _ := newStore(t)
	ctx := context.Background()
	t1 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	rec := &state.Record{FindingID: "f", ResourceID: "r", Status: rule.Failed, Compliance: "FAILED", RecordState: "ACTIVE",
		CreatedAt: t1, UpdatedAt: t1, ObservedAt: t1}
	if _, err := store.Put(ctx, []*state.Record{rec}); err != nil {
		t.Fatal(err)
	}
	changed, err := store.Observed(ctx, []state.Seen{{FindingID: "f", Prior: t1, At: t1.Add(time.Minute)}})
	if err != nil || len(changed) != 0 {
		t.Fatalf("observed over the compared record: changed %v, %v", changed, err)
	}
	changed, err = store.Observed(ctx, []state.Seen{{FindingID: "f", Prior: t1, At: t1.Add(2 * time.Minute)}})
	if err != nil || fmt.Sprint(changed) != "[f]" {
		t.Fatalf("observed over a record that moved on: changed %v, %v; want [f]", changed, err)
	}
	got, _ := store.Get(ctx, []string{"f"})
	if r := got["f"]; !r.ObservedAt.Equal(t1.Add(time.Minute)) || !r.UpdatedAt.Equal(t1) {
		t.Fatalf("record %+v: want observed at +1m, updated at %v", r, t1)
	}
}

// A record written before transitions were named (a notified flag, no transition) reads as notified for its
// creation only, and can be marked and claimed under the creation's transition.
func TestLegacyNotifiedRecord(t *testing.T) {
	store, db := newStore(t)
	ctx := context.Background()
	created := "2025-03-01T12:00:00.000Z"
	item := map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "FINDING#old"}, "sk": &types.AttributeValueMemberS{Value: "STATE"},
		"resourceId": &types.AttributeValueMemberS{Value: "r"}, "createdAt": &types.AttributeValueMemberS{Value: created},
		"updatedAt": &types.AttributeValueMemberS{Value: created}, "recordState": &types.AttributeValueMemberS{Value: "ACTIVE"},
		"compliance": &types.AttributeValueMemberS{Value: "FAILED"}, "notified": &types.AttributeValueMemberBOOL{Value: false},
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("state"), Item: item}); err != nil {
		t.Fatal(err)
	}
	got, err := store.Get(ctx, []string{"old"})
	if err != nil {
		t.Fatal(err)
	}
	r := got["old"]
	if r.Notified || r.Transition != "c"+created || r.ObservedAt.IsZero() {
		t.Fatalf("legacy record read as %+v", r)
	}
	ok, err := store.ClaimNotification(ctx, "old", r.Transition, time.Now(), time.Minute)
	if err != nil || !ok {
		t.Fatalf("claim of a legacy record: %v %v", ok, err)
	}
	if err := store.MarkNotified(ctx, []state.Announced{{FindingID: "old", Transition: r.Transition}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got, _ := store.Get(ctx, []string{"old"}); !got["old"].Notified {
		t.Fatalf("legacy record not notified after marking: %+v", got["old"])
	}
}
