package state

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// OpenResources returns the IDs of the resources that have at least one ACTIVE finding, for a sweep to archive
// those it no longer finds. It scans the table: a sweep runs a few times a day, and the table holds only findings
// and small index items.
func (s *Store) OpenResources(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	p := dynamodb.NewScanPaginator(s.db, &dynamodb.ScanInput{
		TableName:                &s.table,
		FilterExpression:         aws.String("begins_with(#pk, :finding) AND #rs = :active"),
		ProjectionExpression:     aws.String("resourceId"),
		ExpressionAttributeNames: map[string]string{"#pk": PartitionKey, "#rs": "recordState"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":finding": str(findingPrefix), ":active": str(Active),
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("scan state table %s for open findings: %w", s.table, err)
		}
		for _, it := range page.Items {
			if id := stringAttr(it, "resourceId"); id != "" {
				seen[id] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	sort.Strings(out)
	return out, nil
}

func baselineKey(account, region string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{PartitionKey: str("BASELINE#" + account + "#" + region), SortKey: str(findingSortKey)}
}

// BaselineDone reports whether the first full sweep of an account and region has been recorded.
func (s *Store) BaselineDone(ctx context.Context, account, region string) (bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: baselineKey(account, region), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return false, fmt.Errorf("read baseline marker of %s/%s: %w", account, region, err)
	}
	return len(out.Item) > 0, nil
}

// MarkBaseline records that the first full sweep of an account and region is done.
func (s *Store) MarkBaseline(ctx context.Context, account, region string, at time.Time) error {
	item := baselineKey(account, region)
	item["at"] = str(FormatTime(at))
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
		return fmt.Errorf("record baseline of %s/%s: %w", account, region, err)
	}
	return nil
}
