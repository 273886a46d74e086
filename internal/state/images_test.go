package state_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/testenv/awstest"
)

func TestImageIndex(t *testing.T) {
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
	x := &state.ImageIndex{DB: db, Table: "state"}
	now := time.Now()
	const a, b = "arn:aws:ecs:us-east-1:1:task-definition/web:1", "arn:aws:ecs:us-east-1:1:task-definition/api:2"
	if err := x.Record(ctx, a, []string{"sha256:1", "sha256:2", "sha256:1"}, now); err != nil {
		t.Fatal(err)
	}
	if err := x.Record(ctx, b, []string{"sha256:2"}, now); err != nil {
		t.Fatal(err)
	}
	check := func(digest string, want ...string) {
		t.Helper()
		got, err := x.Users(ctx, digest)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			want = nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("users of %s: got %v, want %v", digest, got, want)
		}
	}
	check("sha256:1", a)
	check("sha256:2", b, a)
	if err := x.Record(ctx, a, []string{"sha256:3"}, now); err != nil {
		t.Fatal(err)
	}
	check("sha256:1")
	check("sha256:2", b)
	check("sha256:3", a)
	if err := x.Forget(ctx, b); err != nil {
		t.Fatal(err)
	}
	check("sha256:2")
}
