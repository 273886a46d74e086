// Package imageuse keeps the index of which task definition revisions use which image digest, in the state table,
// so a finished scan re-audits only the revisions that run that image instead of describing every task definition.
package imageuse

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoAPI is the part of DynamoDB the index calls.
type DynamoAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Index is the image-use index in the state table. Items: pk "IMAGE#<digest>", sk "TASKDEF#<arn>" for each use, and
// pk "TASKDEF#<arn>", sk "IMAGES" listing a revision's digests so its uses can be removed when it goes.
type Index struct {
	DB    DynamoAPI
	Table string
}

// Record replaces the digests a task definition revision uses.
func (x *Index) Record(ctx context.Context, taskDefARN string, digests []string, now time.Time) error {
	digests = uniq(digests)
	old, err := x.digestsOf(ctx, taskDefARN)
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, d := range digests {
		keep[d] = true
	}
	for _, d := range old {
		if !keep[d] {
			if err := x.delete(ctx, "IMAGE#"+d, "TASKDEF#"+taskDefARN); err != nil {
				return err
			}
		}
	}
	for _, d := range digests {
		_, err := x.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &x.Table, Item: map[string]types.AttributeValue{
			"pk":                &types.AttributeValueMemberS{Value: "IMAGE#" + d},
			"sk":                &types.AttributeValueMemberS{Value: "TASKDEF#" + taskDefARN},
			"taskDefinitionArn": &types.AttributeValueMemberS{Value: taskDefARN},
			"updatedAt":         &types.AttributeValueMemberS{Value: now.UTC().Format(time.RFC3339)},
		}})
		if err != nil {
			return fmt.Errorf("record image use %s by %s: %w", d, taskDefARN, err)
		}
	}
	item := map[string]types.AttributeValue{
		"pk":        &types.AttributeValueMemberS{Value: "TASKDEF#" + taskDefARN},
		"sk":        &types.AttributeValueMemberS{Value: "IMAGES"},
		"updatedAt": &types.AttributeValueMemberS{Value: now.UTC().Format(time.RFC3339)},
	}
	if len(digests) > 0 {
		item["digests"] = &types.AttributeValueMemberSS{Value: digests}
	}
	if _, err := x.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &x.Table, Item: item}); err != nil {
		return fmt.Errorf("record images of %s: %w", taskDefARN, err)
	}
	return nil
}

// Forget removes a revision's uses (it was deregistered or deleted).
func (x *Index) Forget(ctx context.Context, taskDefARN string) error {
	old, err := x.digestsOf(ctx, taskDefARN)
	if err != nil {
		return err
	}
	for _, d := range old {
		if err := x.delete(ctx, "IMAGE#"+d, "TASKDEF#"+taskDefARN); err != nil {
			return err
		}
	}
	return x.delete(ctx, "TASKDEF#"+taskDefARN, "IMAGES")
}

// Users returns the task definition revisions that use a digest, sorted.
func (x *Index) Users(ctx context.Context, digest string) ([]string, error) {
	var out []string
	p := dynamodb.NewQueryPaginator(x.DB, &dynamodb.QueryInput{
		TableName:                 &x.Table,
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "IMAGE#" + digest}, ":sk": &types.AttributeValueMemberS{Value: "TASKDEF#"}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query users of image %s: %w", digest, err)
		}
		for _, it := range page.Items {
			if s, ok := it["sk"].(*types.AttributeValueMemberS); ok {
				out = append(out, strings.TrimPrefix(s.Value, "TASKDEF#"))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

func (x *Index) digestsOf(ctx context.Context, arn string) ([]string, error) {
	out, err := x.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &x.Table, ConsistentRead: aws.Bool(true), Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "TASKDEF#" + arn}, "sk": &types.AttributeValueMemberS{Value: "IMAGES"},
	}})
	if err != nil {
		return nil, fmt.Errorf("read images of %s: %w", arn, err)
	}
	if ss, ok := out.Item["digests"].(*types.AttributeValueMemberSS); ok {
		return ss.Value, nil
	}
	return nil, nil
}

func (x *Index) delete(ctx context.Context, pk, sk string) error {
	_, err := x.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &x.Table, Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk},
	}})
	if err != nil {
		return fmt.Errorf("delete %s %s: %w", pk, sk, err)
	}
	return nil
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}
