package state

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A gone marker records when a resource was last found deleted or out of scope: item pk "GONE#<resource Id>", sk
// "STATE", attribute goneAt. An evaluation of the resource read before that time must not re-open its findings,
// even when it is published after the archive (and so after there was anything to archive). A resource that
// comes back (a repository created again under its name) is read after the marker, so its findings are published.
const (
	gonePrefix = "GONE#"
	goneTTL    = 90 * 24 * time.Hour
)

func goneKey(resourceID string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{PartitionKey: str(gonePrefix + resourceID), SortKey: str(findingSortKey)}
}

// MarkGone records that the resources were found gone at at; a later time already stored is kept.
func (s *Store) MarkGone(ctx context.Context, resourceIDs []string, at time.Time) error {
	var mu sync.Mutex
	var errs []error
	each(resourceIDs, func(id string) {
		_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                aws.String(s.table),
			Key:                      goneKey(id),
			UpdateExpression:         aws.String("SET #g = :g, #ttl = :ttl"),
			ConditionExpression:      aws.String("attribute_not_exists(#g) OR #g < :g"),
			ExpressionAttributeNames: map[string]string{"#g": "goneAt", "#ttl": TTLAttribute},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":g": str(FormatTime(at)), ":ttl": num(at.Add(goneTTL).Unix()),
			},
		})
		var later *types.ConditionalCheckFailedException
		if err != nil && !errors.As(err, &later) {
			mu.Lock()
			errs = append(errs, fmt.Errorf("mark %s gone: %w", id, err))
			mu.Unlock()
		}
	})
	return errors.Join(errs...)
}

// GoneSince returns when each of the resources was last found gone; resources never found gone are absent.
func (s *Store) GoneSince(ctx context.Context, resourceIDs []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	seen := map[string]bool{}
	var keys []map[string]types.AttributeValue
	for _, id := range resourceIDs {
		if !seen[id] {
			seen[id] = true
			keys = append(keys, goneKey(id))
		}
	}
	for start := 0; start < len(keys); start += batchGetLimit {
		pending := map[string]types.KeysAndAttributes{
			s.table: {Keys: keys[start:min(start+batchGetLimit, len(keys))], ConsistentRead: aws.Bool(true)},
		}
		for attempt := 0; len(pending) > 0; attempt++ {
			if attempt > maxRetries {
				return nil, fmt.Errorf("read gone markers: %d keys still unprocessed", len(pending[s.table].Keys))
			}
			if err := backoff(ctx, attempt); err != nil {
				return nil, err
			}
			resp, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
			if err != nil {
				return nil, fmt.Errorf("read gone markers: %w", err)
			}
			for _, item := range resp.Responses[s.table] {
				at, err := timeAttr(item, "goneAt")
				if err != nil {
					return nil, fmt.Errorf("gone marker %w", err)
				}
				out[strings.TrimPrefix(stringAttr(item, PartitionKey), gonePrefix)] = at
			}
			pending = resp.UnprocessedKeys
		}
	}
	return out, nil
}
