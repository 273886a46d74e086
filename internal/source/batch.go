package source

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// Limits of ECR's DescribeImages, from the ECR API model: imageIds holds 1 to 100 identifiers, and a listing page
// (maxResults, which cannot be combined with imageIds) holds 1 to 1000 images.
const (
	MaxImageIDs   = 100
	MaxImagesPage = 1000
)

// ECRClient returns the ECR client for a region: the source's own for its region, ECRIn's for another.
func (s *Source) ECRClient(region string) ECRAPI { return s.ecrIn(region) }

// ListImages lists every image of a repository with its tags and scan summary, in pages of 1000: one call for most
// repositories. registryID may be empty for the caller's own registry.
func (s *Source) ListImages(ctx context.Context, region, registryID, repo string) ([]ecrtypes.ImageDetail, error) {
	in := &ecr.DescribeImagesInput{RepositoryName: aws.String(repo), MaxResults: aws.Int32(MaxImagesPage)}
	if registryID != "" {
		in.RegistryId = aws.String(registryID)
	}
	var out []ecrtypes.ImageDetail
	p := ecr.NewDescribeImagesPaginator(s.ecrIn(region), in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if errorCode(err) == "RepositoryNotFoundException" {
				return nil, fmt.Errorf("list images of %s in registry %s: %w (RepositoryNotFoundException)", repo, registryID, ErrNotFound)
			}
			return nil, fmt.Errorf("list images of %s in registry %s: %w", repo, registryID, err)
		}
		out = append(out, page.ImageDetails...)
	}
	return out, nil
}

// ImagesByID describes images of one repository by identifier (digest or tag), at most 100 per call. DescribeImages
// fails as a whole when one identifier does not exist, so such a call is split in halves until the missing ones are
// isolated: they come back in missing, never as an error. A repository that does not exist makes every identifier
// missing.
func (s *Source) ImagesByID(ctx context.Context, region, registryID, repo string, ids []ecrtypes.ImageIdentifier) (found []ecrtypes.ImageDetail, missing []ecrtypes.ImageIdentifier, err error) {
	client := s.ecrIn(region)
	var describe func(part []ecrtypes.ImageIdentifier) error
	describe = func(part []ecrtypes.ImageIdentifier) error {
		in := &ecr.DescribeImagesInput{RepositoryName: aws.String(repo), ImageIds: part}
		if registryID != "" {
			in.RegistryId = aws.String(registryID)
		}
		out, err := client.DescribeImages(ctx, in)
		switch code := errorCode(err); {
		case err == nil:
			found = append(found, out.ImageDetails...)
			return nil
		case code == "RepositoryNotFoundException":
			missing = append(missing, part...)
			return nil
		case code == "ImageNotFoundException" && len(part) == 1:
			missing = append(missing, part...)
			return nil
		case code == "ImageNotFoundException":
			half := len(part) / 2
			if err := describe(part[:half]); err != nil {
				return err
			}
			return describe(part[half:])
		}
		return fmt.Errorf("describe %d images of %s in registry %s: %w", len(part), repo, registryID, err)
	}
	for start := 0; start < len(ids); start += MaxImageIDs {
		if err := describe(ids[start:min(start+MaxImageIDs, len(ids))]); err != nil {
			return found, missing, err
		}
	}
	return found, missing, nil
}

// ImageFromDetail builds an image from what DescribeImages returned. The scan comes from the image's
// imageScanFindingsSummary; only when that is absent is DescribeImageScanFindings called, for this one image (an
// image never scanned answers ScanNotFoundException, and stays without a scan for the rules to judge). Unlike
// Image, an image whose summary counts findings is not described again for the names of its top findings: a sweep
// judges thousands of images from their summaries alone.
func (s *Source) ImageFromDetail(ctx context.Context, region string, d ecrtypes.ImageDetail) (*model.Image, error) {
	img := &model.Image{Detail: d}
	img.Source = "ecr:DescribeImages"
	img.Account, img.Region, img.Partition = aws.ToString(d.RegistryId), region, model.PartitionOf(region)
	img.ARN = model.ImageARN(img.Partition, region, img.Account, aws.ToString(d.RepositoryName), aws.ToString(d.ImageDigest))
	if d.ImageScanFindingsSummary != nil {
		return img, nil
	}
	out, err := s.ecrIn(region).DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{
		RegistryId: d.RegistryId, RepositoryName: d.RepositoryName,
		ImageId: &ecrtypes.ImageIdentifier{ImageDigest: d.ImageDigest}, MaxResults: aws.Int32(100),
	})
	if err != nil {
		if errorCode(err) == "ScanNotFoundException" {
			return img, nil
		}
		return nil, fmt.Errorf("describe scan findings of %s@%s: %w", aws.ToString(d.RepositoryName), aws.ToString(d.ImageDigest), err)
	}
	if out.ImageScanStatus != nil {
		img.Detail.ImageScanStatus = out.ImageScanStatus
	}
	if f := out.ImageScanFindings; f != nil {
		img.Detail.ImageScanFindingsSummary = &ecrtypes.ImageScanFindingsSummary{
			FindingSeverityCounts:        f.FindingSeverityCounts,
			ImageScanCompletedAt:         f.ImageScanCompletedAt,
			VulnerabilitySourceUpdatedAt: f.VulnerabilitySourceUpdatedAt,
		}
		img.Findings = s.top(f)
	}
	return img, nil
}
