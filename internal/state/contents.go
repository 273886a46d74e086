package state

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A contents result records that an image's contents were read from its registry and their findings published
// under one catalog and configuration version: pk "IMAGE#<digest>", sk "CONTENTS#<version>", with when, how many
// layers and bytes were read, and whether the read ran out of budget. While it exists the image's layers are not
// read again for that version; a new catalog or configuration reads them once more. It is written only after the
// findings were published, so a failed publish reads the image again on the retry.

func contentsKey(digest, version string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{PartitionKey: str("IMAGE#" + digest), SortKey: str("CONTENTS#" + version)}
}

// ContentsResult is what is kept of one image's contents read.
type ContentsResult struct {
	ReadAt                time.Time
	LayersRead, BytesRead int64
	// Incomplete is set when the read stopped at the byte budget or at a layer it could not read.
	Incomplete bool
}

// ContentsRead reports whether the contents of digest were read and published under version.
func (x *ImageIndex) ContentsRead(ctx context.Context, digest, version string) (bool, error) {
	out, err := x.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &x.Table, ConsistentRead: aws.Bool(true),
		Key: contentsKey(digest, version), ProjectionExpression: aws.String(PartitionKey)})
	if err != nil {
		return false, fmt.Errorf("read contents result of %s: %w", digest, err)
	}
	return len(out.Item) > 0, nil
}

// RecordContents records that the contents of digest were read and published under version.
func (x *ImageIndex) RecordContents(ctx context.Context, digest, version string, r ContentsResult) error {
	item := contentsKey(digest, version)
	item["readAt"] = str(FormatTime(r.ReadAt))
	item["layersRead"] = num(r.LayersRead)
	item["bytesRead"] = num(r.BytesRead)
	if r.Incomplete {
		item["incomplete"] = &types.AttributeValueMemberBOOL{Value: true}
	}
	if _, err := x.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &x.Table, Item: item}); err != nil {
		return fmt.Errorf("record contents result of %s: %w", digest, err)
	}
	return nil
}
