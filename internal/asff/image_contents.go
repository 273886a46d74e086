package asff

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// imageContentsARN builds the ECR image ARN of an image read from an image file whose tag names a private ECR
// repository; "" for any other (the finding then names the image by repository and digest).
func imageContentsARN(img *model.ImageContents, id identity) string {
	for _, t := range img.Tags {
		ref := model.ParseImageRef(t)
		if account, region, ok := ref.ECR(); ok {
			return model.ImageARN(id.partition, region, account, ref.Repository, img.Digest)
		}
	}
	return ""
}

// imageContentsDetails describes an image read from an image file: its digest, the repository and tags the file
// records, and its platform as the architecture.
func imageContentsDetails(img *model.ImageContents, id identity) *types.AwsEcrContainerImageDetails {
	d := &types.AwsEcrContainerImageDetails{ImageDigest: str(img.Digest)}
	if repo := img.Repository(); repo != "" {
		ref := model.ParseImageRef(repo)
		d.RepositoryName = str(ref.Repository)
		if account, _, ok := ref.ECR(); ok {
			d.RegistryId = str(account)
		}
	}
	for _, t := range img.Tags {
		if tag := model.ParseImageRef(t).Tag; tag != "" {
			d.ImageTags = append(d.ImageTags, tag)
		}
	}
	if parts := strings.Split(img.Platform, "/"); len(parts) >= 2 && parts[1] != "" {
		d.Architecture = str(parts[1]) // the variant (arm64/v8) stays in ProductFields' platform
	}
	return d
}
