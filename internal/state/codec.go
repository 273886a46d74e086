package state

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DB is the part of DynamoDB the state table's item kinds call; *dynamodb.Client implements it.
type DB interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// The attribute codec of every item kind: str and num write S and N attributes, stringAttr, timeAttr and numAttr
// read them, and times are written with FormatTime (the image-use index keeps its RFC 3339 seconds).

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func num(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// numAttr reads a number attribute; absent or of another type is 0. The error names the attribute.
func numAttr(item map[string]types.AttributeValue, name string) (int64, error) {
	n, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, nil
	}
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("attribute %s: %w", name, err)
	}
	return v, nil
}

// writeAll sends write requests to table, 25 to a call (DynamoDB's limit), retrying the items DynamoDB leaves
// unprocessed with backoff. what names the data in errors.
func writeAll(ctx context.Context, db DB, table, what string, reqs []types.WriteRequest) error {
	for start := 0; start < len(reqs); start += batchWriteLimit {
		pending := map[string][]types.WriteRequest{table: reqs[start:min(start+batchWriteLimit, len(reqs))]}
		for attempt := 0; len(pending[table]) > 0; attempt++ {
			if attempt > maxRetries {
				return fmt.Errorf("write %s: %d items still unprocessed", what, len(pending[table]))
			}
			if err := backoff(ctx, attempt); err != nil {
				return err
			}
			resp, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return fmt.Errorf("write %s: %w", what, err)
			}
			pending = resp.UnprocessedItems
		}
	}
	return nil
}

// TimeLayout is how the state table and Security Hub timestamps are written: UTC with milliseconds, so that a
// strictly later time in milliseconds is also strictly later as text.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime writes t in TimeLayout.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// timeAttr reads a string attribute written with FormatTime (or any RFC 3339 time); absent is the zero time. The
// error names the attribute: "attribute NAME: ...".
func timeAttr(item map[string]types.AttributeValue, name string) (time.Time, error) {
	v := stringAttr(item, name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("attribute %s: %w", name, err)
	}
	return t.UTC(), nil
}

// stringAttr reads a string attribute; absent or of another type is "".
func stringAttr(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// backoff waits before a retry of unprocessed items: nothing before the first attempt, then 50 ms doubling to 2 s.
func backoff(ctx context.Context, attempt int) error {
	if attempt == 0 {
		return nil
	}
	d := min(50*time.Millisecond<<(attempt-1), 2*time.Second)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// stringSet reads a string set attribute; absent or of another type is nil.
func stringSet(item map[string]types.AttributeValue, name string) []string {
	if ss, ok := item[name].(*types.AttributeValueMemberSS); ok {
		return ss.Value
	}
	return nil
}

// boolAttr reads a boolean attribute; absent or of another type is false.
func boolAttr(item map[string]types.AttributeValue, name string) bool {
	b, ok := item[name].(*types.AttributeValueMemberBOOL)
	return ok && b.Value
}
