package state

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

// ImageIndex is the index of which task definition revisions use which image digest, so a finished scan re-audits
// only the revisions that run that image instead of describing every task definition. Items: pk "IMAGE#<digest>",
// sk "TASKDEF#<arn>" for each use, and pk "TASKDEF#<arn>", sk "IMAGES" listing a revision's digests so its uses can
// be removed when it goes.
type ImageIndex struct {
	DB    DB
	Table string
}

// Record replaces the digests a task definition revision uses.
func (x *ImageIndex) Record(ctx context.Context, taskDefARN string, digests []string, now time.Time) error {
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
	updated := now.UTC().Format(time.RFC3339)
	for _, d := range digests {
		_, err := x.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &x.Table, Item: map[string]types.AttributeValue{
			PartitionKey:        str("IMAGE#" + d),
			SortKey:             str("TASKDEF#" + taskDefARN),
			"taskDefinitionArn": str(taskDefARN),
			"updatedAt":         str(updated),
		}})
		if err != nil {
			return fmt.Errorf("record image use %s by %s: %w", d, taskDefARN, err)
		}
	}
	item := imagesKey(taskDefARN)
	item["updatedAt"] = str(updated)
	if len(digests) > 0 {
		item["digests"] = &types.AttributeValueMemberSS{Value: digests}
	}
	if _, err := x.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &x.Table, Item: item}); err != nil {
		return fmt.Errorf("record images of %s: %w", taskDefARN, err)
	}
	return nil
}

// Forget removes a revision's uses (it was deregistered or deleted).
func (x *ImageIndex) Forget(ctx context.Context, taskDefARN string) error {
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
func (x *ImageIndex) Users(ctx context.Context, digest string) ([]string, error) {
	var out []string
	p := dynamodb.NewQueryPaginator(x.DB, &dynamodb.QueryInput{
		TableName:                 &x.Table,
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str("IMAGE#" + digest), ":sk": str("TASKDEF#")},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query users of image %s: %w", digest, err)
		}
		for _, it := range page.Items {
			if sk, ok := it[SortKey].(*types.AttributeValueMemberS); ok {
				out = append(out, strings.TrimPrefix(sk.Value, "TASKDEF#"))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

func imagesKey(arn string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{PartitionKey: str("TASKDEF#" + arn), SortKey: str("IMAGES")}
}

func (x *ImageIndex) digestsOf(ctx context.Context, arn string) ([]string, error) {
	out, err := x.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &x.Table, ConsistentRead: aws.Bool(true), Key: imagesKey(arn)})
	if err != nil {
		return nil, fmt.Errorf("read images of %s: %w", arn, err)
	}
	if ss, ok := out.Item["digests"].(*types.AttributeValueMemberSS); ok {
		return ss.Value, nil
	}
	return nil, nil
}

func (x *ImageIndex) delete(ctx context.Context, pk, sk string) error {
	_, err := x.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &x.Table, Key: map[string]types.AttributeValue{
		PartitionKey: str(pk), SortKey: str(sk),
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
