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

func TestContentsResultsPerVersion(t *testing.T) {
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
	const digest, td = "sha256:1", "arn:aws:ecs:us-east-1:1:task-definition/web:1"
	if err := x.Record(ctx, td, []string{digest}, time.Now()); err != nil {
		t.Fatal(err)
	}
	read := func(version string) bool {
		t.Helper()
		ok, err := x.ContentsRead(ctx, digest, version)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if read("v1") {
		t.Fatal("contents read before any was recorded")
	}
	if err := x.RecordContents(ctx, digest, "v1", state.ContentsResult{ReadAt: time.Now(), LayersRead: 3, BytesRead: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	if !read("v1") || read("v2") {
		t.Errorf("recorded under v1: read(v1)=%v read(v2)=%v, want true, false", read("v1"), read("v2"))
	}
	users, err := x.Users(ctx, digest)
	if err != nil || !reflect.DeepEqual(users, []string{td}) {
		t.Errorf("users of the image = %v, %v; a contents result must not read as a user", users, err)
	}
}
