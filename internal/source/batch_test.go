package source

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// countingECR counts DescribeImages calls and the identifiers each one named.
type countingECR struct {
	ECRAPI
	sizes []int
}

func (c *countingECR) DescribeImages(ctx context.Context, in *ecr.DescribeImagesInput, opts ...func(*ecr.Options)) (*ecr.DescribeImagesOutput, error) {
	c.sizes = append(c.sizes, len(in.ImageIds))
	return c.ECRAPI.DescribeImages(ctx, in, opts...)
}

func TestImagesByIDBatchesOf100AndIsolatesMissingImages(t *testing.T) {
	src, _, ecrc := clients(t)
	ctx := context.Background()
	if _, err := ecrc.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("base")}); err != nil {
		t.Fatal(err)
	}
	var ids []ecrtypes.ImageIdentifier
	for i := range 150 {
		tag := fmt.Sprintf("v%d", i)
		if _, err := ecrc.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("base"), ImageManifest: aws.String(manifest(5000 + i)), ImageTag: aws.String(tag)}); err != nil {
			// A retried PutImage whose first attempt landed meets its own image: the image is there, as wanted.
			if exists := (*ecrtypes.ImageAlreadyExistsException)(nil); !errors.As(err, &exists) {
				t.Fatal(err)
			}
		}
		ids = append(ids, ecrtypes.ImageIdentifier{ImageTag: aws.String(tag)})
	}
	ids = append(ids, ecrtypes.ImageIdentifier{ImageTag: aws.String("gone")})
	counting := &countingECR{ECRAPI: src.ECR}
	src.ECR = counting
	found, missing, err := src.ImagesByID(ctx, "us-east-1", account, "base", ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 150 || len(missing) != 1 || aws.ToString(missing[0].ImageTag) != "gone" {
		t.Fatalf("found %d, missing %v", len(found), missing)
	}
	for _, n := range counting.sizes {
		if n > MaxImageIDs {
			t.Errorf("a call named %d images; the API takes at most %d", n, MaxImageIDs)
		}
	}
	// Two batches (100 and 51); the second fails for the missing tag and is split until it is isolated: far fewer
	// calls than one per image.
	if len(counting.sizes) < 3 || len(counting.sizes) > 16 {
		t.Errorf("%d DescribeImages calls for 151 identifiers: %v", len(counting.sizes), counting.sizes)
	}

	_, missing, err = src.ImagesByID(ctx, "us-east-1", account, "nope", ids[:3])
	if err != nil || len(missing) != 3 {
		t.Errorf("a repository that does not exist makes every image missing: %v %v", missing, err)
	}
}

func TestListImagesAndImageFromDetail(t *testing.T) {
	src, _, ecrc := clients(t)
	ctx := context.Background()
	if _, err := ecrc.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	put, err := ecrc.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("web"), ImageManifest: aws.String(manifest(7)), ImageTag: aws.String("1")})
	if err != nil {
		t.Fatal(err)
	}
	details, err := src.ListImages(ctx, "us-east-1", "", "web")
	if err != nil || len(details) != 1 {
		t.Fatalf("list: %v %v", details, err)
	}
	// Never scanned: DescribeImageScanFindings says so, and the image has no scan.
	img, err := src.ImageFromDetail(ctx, "us-east-1", details[0])
	if err != nil || img.Detail.ImageScanFindingsSummary != nil || img.ARN == "" {
		t.Fatalf("unscanned image: %+v %v", img, err)
	}
	digest := put.Image.ImageId.ImageDigest
	if _, err := ecrc.StartImageScan(ctx, &ecr.StartImageScanInput{RepositoryName: aws.String("web"), ImageId: &ecrtypes.ImageIdentifier{ImageDigest: digest}}); err != nil {
		t.Fatal(err)
	}
	img, err = src.ImageFromDetail(ctx, "us-east-1", details[0])
	if err != nil || img.Detail.ImageScanFindingsSummary == nil || len(img.Findings) == 0 {
		t.Fatalf("scanned image without a summary in DescribeImages: the findings call fills it: %+v %v", img, err)
	}
	// With the summary present (as AWS returns it), no further call is made.
	withSummary := details[0]
	withSummary.ImageScanFindingsSummary = &ecrtypes.ImageScanFindingsSummary{FindingSeverityCounts: map[string]int32{"HIGH": 1}}
	src.ECR = failingECR{}
	if _, err := src.ImageFromDetail(ctx, "us-east-1", withSummary); err != nil {
		t.Errorf("an image with its summary needs no call: %v", err)
	}
	if _, err := src.ListImages(ctx, "us-east-1", "", "web"); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("a failed listing is an error, not a missing repository: %v", err)
	}
}

type failingECR struct{ ECRAPI }

func (failingECR) DescribeImageScanFindings(context.Context, *ecr.DescribeImageScanFindingsInput, ...func(*ecr.Options)) (*ecr.DescribeImageScanFindingsOutput, error) {
	return nil, errors.New("no call expected")
}

func (failingECR) DescribeImages(context.Context, *ecr.DescribeImagesInput, ...func(*ecr.Options)) (*ecr.DescribeImagesOutput, error) {
	return nil, errors.New("listing failed")
}
