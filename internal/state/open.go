package state

import (
	"context"
	"fmt"
	"sort"

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
			if id := getS(it, "resourceId"); id != "" {
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
