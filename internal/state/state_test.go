package state_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"sort"
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
		UpdatedAt: at.Add(time.Hour), RecordState: "ARCHIVED", Workflow: "SUPPRESSED", Fingerprint: "abc",
		Notified: true, NotifiedAt: at.Add(2 * time.Hour), ExpiresAt: at.Add(90 * 24 * time.Hour).Truncate(time.Second),
	}
	if err := store.Put(ctx, []*state.Record{rec}); err != nil {
		t.Fatal(err)
	}
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
	if err := store.Put(ctx, recs); err != nil {
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
		recs = append(recs, &state.Record{FindingID: id, ResourceID: "r", Status: rule.Failed})
	}
	if err := store.Put(ctx, recs); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := store.MarkNotified(ctx, append(ids[:29:29], "never-stored"), at); err != nil {
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
	err := store.Put(ctx, []*state.Record{
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
