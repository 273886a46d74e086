package state_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/testenv/awstest"
)

// The running index follows a service through a change of revision and exposure and its deletion, ignores an
// older observation delivered late, and says what changed.
func TestRunningIndex(t *testing.T) {
	srv := awstest.Emulator(t)
	ctx := context.Background()
	db := dynamodb.NewFromConfig(awstest.Config(srv.URL, "us-east-1"))
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("state"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}, {AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
	})
	if err != nil {
		t.Fatal(err)
	}
	x := state.New(db, "state").Runs()
	const (
		p       = "arn:aws:ecs:us-east-1:111122223333:"
		svc     = p + "service/prod/web"
		cluster = p + "cluster/prod"
		v7, v8  = p + "task-definition/web:7", p + "task-definition/web:8"
	)
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	runs := func(rev string, public bool) []model.Run {
		return []model.Run{{TaskDefinition: rev, Runner: model.Runner{Service: svc, Cluster: cluster, Public: public}}}
	}
	record := func(rs []model.Run, at time.Time, want ...string) {
		t.Helper()
		changed, err := x.Record(ctx, svc, rs, at)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			want = nil
		}
		if !reflect.DeepEqual(changed, want) {
			t.Fatalf("changed %v, want %v", changed, want)
		}
	}
	runners := func(rev string, want ...model.Runner) {
		t.Helper()
		got, err := x.Runners(ctx, rev)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			want = nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("runners of %s: %+v, want %+v", rev, got, want)
		}
	}
	record(runs(v7, false), t0, v7)
	runners(v7, model.Runner{Service: svc, Cluster: cluster})
	record(runs(v7, false), t0.Add(time.Second)) // the same again: nothing changed
	record(runs(v7, true), t0.Add(2*time.Second), v7)
	runners(v7, model.Runner{Service: svc, Cluster: cluster, Public: true})
	record(runs(v8, true), t0.Add(3*time.Second), v7, v8)
	runners(v7)
	runners(v8, model.Runner{Service: svc, Cluster: cluster, Public: true})
	// An older observation delivered late changes nothing.
	record(runs(v7, false), t0.Add(2500*time.Millisecond))
	runners(v7)
	runners(v8, model.Runner{Service: svc, Cluster: cluster, Public: true})
	// Deleted: it runs nothing, and an older observation cannot bring it back.
	changed, err := x.ForgetRunner(ctx, svc, t0.Add(4*time.Second))
	if err != nil || !reflect.DeepEqual(changed, []string{v8}) {
		t.Fatalf("forget: %v %v, want [%s]", changed, err, v8)
	}
	record(runs(v8, true), t0.Add(3500*time.Millisecond))
	runners(v8)

	running, err := x.Context(ctx, v8, "111122223333", "us-east-1")
	if err != nil || running.Complete || running.Exposure() != model.ExposureUnknown {
		t.Fatalf("before a complete listing: %+v %v", running, err)
	}
	if err := x.MarkComplete(ctx, "111122223333", "us-east-1", t0.Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if running, err = x.Context(ctx, v8, "111122223333", "us-east-1"); err != nil || running.Exposure() != model.ExposureNone {
		t.Fatalf("after a complete listing: %+v %v", running, err)
	}

	// A cluster's standalone tasks are one runner; a service behind an internet-facing load balancer is exposed.
	standalone := model.Runner{Cluster: cluster, Standalone: true}
	changed, err = x.RecordStandalone(ctx, cluster, []model.Run{{TaskDefinition: v7, Runner: standalone}}, t0.Add(6*time.Second))
	if err != nil || !reflect.DeepEqual(changed, []string{v7}) {
		t.Fatalf("standalone tasks: %v %v, want [%s]", changed, err, v7)
	}
	record([]model.Run{{TaskDefinition: v7, Runner: model.Runner{Service: svc, Cluster: cluster, InternetFacing: true}}}, t0.Add(7*time.Second), v7)
	runners(v7, model.Runner{Service: svc, Cluster: cluster, InternetFacing: true}, standalone)
	if running, err = x.Context(ctx, v7, "111122223333", "us-east-1"); err != nil || running.Exposure() != model.ExposurePublic {
		t.Fatalf("behind an internet-facing load balancer: %+v %v", running, err)
	}
	changed, err = x.ForgetStandalone(ctx, cluster, t0.Add(8*time.Second))
	if err != nil || !reflect.DeepEqual(changed, []string{v7}) {
		t.Fatalf("forget the standalone tasks: %v %v, want [%s]", changed, err, v7)
	}
	runners(v7, model.Runner{Service: svc, Cluster: cluster, InternetFacing: true})
}
