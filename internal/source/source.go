// Package source is the only code that reads AWS: ECS task definitions, ECR repositories, registry, images and
// their scans, and KMS key metadata. It builds model resources; it never judges them. ForAccount builds the clients
// it reads an account with, and AssumeRole the credentials of a member account.
package source

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// ECSAPI is the part of the ECS API the auditor calls.
type ECSAPI interface {
	DescribeTaskDefinition(context.Context, *ecs.DescribeTaskDefinitionInput, ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
	ListTaskDefinitions(context.Context, *ecs.ListTaskDefinitionsInput, ...func(*ecs.Options)) (*ecs.ListTaskDefinitionsOutput, error)
	ListTaskDefinitionFamilies(context.Context, *ecs.ListTaskDefinitionFamiliesInput, ...func(*ecs.Options)) (*ecs.ListTaskDefinitionFamiliesOutput, error)
}

// ECRAPI is the part of the ECR API the auditor calls.
type ECRAPI interface {
	DescribeRepositories(context.Context, *ecr.DescribeRepositoriesInput, ...func(*ecr.Options)) (*ecr.DescribeRepositoriesOutput, error)
	DescribeImages(context.Context, *ecr.DescribeImagesInput, ...func(*ecr.Options)) (*ecr.DescribeImagesOutput, error)
	DescribeImageScanFindings(context.Context, *ecr.DescribeImageScanFindingsInput, ...func(*ecr.Options)) (*ecr.DescribeImageScanFindingsOutput, error)
	GetLifecyclePolicy(context.Context, *ecr.GetLifecyclePolicyInput, ...func(*ecr.Options)) (*ecr.GetLifecyclePolicyOutput, error)
	GetRepositoryPolicy(context.Context, *ecr.GetRepositoryPolicyInput, ...func(*ecr.Options)) (*ecr.GetRepositoryPolicyOutput, error)
	ListTagsForResource(context.Context, *ecr.ListTagsForResourceInput, ...func(*ecr.Options)) (*ecr.ListTagsForResourceOutput, error)
	GetRegistryScanningConfiguration(context.Context, *ecr.GetRegistryScanningConfigurationInput, ...func(*ecr.Options)) (*ecr.GetRegistryScanningConfigurationOutput, error)
}

// KMSAPI is the part of the KMS API the auditor calls.
type KMSAPI interface {
	DescribeKey(context.Context, *kms.DescribeKeyInput, ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
}

// Source reads resources from one account and region (images may live in other accounts and regions).
type Source struct {
	Account, Region, Partition string
	ECS                        ECSAPI
	ECR                        ECRAPI
	KMS                        KMSAPI
	// Estate describes services, task sets, clusters, capacity providers and container instances (Describe); nil
	// when the source reads task definitions and ECR only.
	Estate EstateAPI
	// ELB says which target groups internet-facing load balancers forward to; nil when not read (then a service
	// behind a load balancer is not known to face the internet).
	ELB ELBAPI
	// fronted are the target groups an internet-facing load balancer forwards to, as ReadLoadBalancers read them
	// (every target group of the account and region is a key); nil until read.
	fronted map[string]bool
	// ECRIn returns an ECR client for another region (images referenced across regions); nil means ECR for all.
	ECRIn func(region string) ECRAPI
	// topFindings is how many scan findings an image keeps (highest severity first).
	topFindings int
}

// New returns a source for one account and region.
func New(account, region string, ecsClient ECSAPI, ecrClient ECRAPI, kmsClient KMSAPI) *Source {
	return &Source{Account: account, Region: region, Partition: model.PartitionOf(region),
		ECS: ecsClient, ECR: ecrClient, KMS: kmsClient, topFindings: 5}
}

// ErrNotFound means a listing confirmed that the resource does not exist.
var ErrNotFound = errors.New("resource not found")

// TaskDefinition describes one revision with its tags. A describe that fails is an error, even when AWS's generic
// ClientException suggests the revision is gone: only a listing (Exists) can confirm deletion.
func (s *Source) TaskDefinition(ctx context.Context, arn string) (*model.TaskDefinition, error) {
	out, err := s.ECS.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{
		TaskDefinition: aws.String(arn),
		Include:        []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags},
	})
	if err != nil {
		return nil, fmt.Errorf("describe task definition %s: %w", arn, err)
	}
	if out.TaskDefinition == nil {
		return nil, fmt.Errorf("describe task definition %s: empty answer", arn)
	}
	t := &model.TaskDefinition{Def: *out.TaskDefinition}
	t.Source = "ecs:DescribeTaskDefinition"
	t.Tags, t.TagsKnown = model.TagsFromECS(out.Tags), true
	s.identify(&t.Ref, aws.ToString(out.TaskDefinition.TaskDefinitionArn))
	return t, nil
}

// TaskDefinitionExists asks a listing whether a revision exists (in any status). It returns false only when the
// listing of the revision's family does not hold it.
func (s *Source) TaskDefinitionExists(ctx context.Context, arn string) (bool, error) {
	family, _ := model.FamilyRevision(arn)
	p := ecs.NewListTaskDefinitionsPaginator(s.ECS, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return false, fmt.Errorf("list task definitions of family %s: %w", family, err)
		}
		for _, a := range page.TaskDefinitionArns {
			if a == arn {
				return true, nil
			}
		}
	}
	return false, nil
}

func (s *Source) identify(r *model.Ref, arn string) {
	r.ARN = arn
	if a, ok := model.ParseARN(arn); ok {
		r.Partition, r.Account, r.Region = a.Partition, a.Account, a.Region
		return
	}
	r.Partition, r.Account, r.Region = s.Partition, s.Account, s.Region
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// ResolveImages looks up every ECR image the task's containers reference, so image-dependent rules can judge it.
// A lookup that fails is recorded with its error (those rules then say NOT_AVAILABLE), never dropped.
func (s *Source) ResolveImages(ctx context.Context, t *model.TaskDefinition) {
	for _, c := range t.Def.ContainerDefinitions {
		ref := aws.ToString(c.Image)
		if _, done := t.Images[ref]; done {
			continue
		}
		ir := model.ParseImageRef(ref)
		account, region, ok := ir.ECR()
		if !ok {
			continue
		}
		if t.Images == nil {
			t.Images = map[string]model.ImageLookup{}
		}
		id := ecrtypes.ImageIdentifier{}
		switch {
		case ir.Digest != "":
			id.ImageDigest = aws.String(ir.Digest)
		case ir.Tag != "":
			id.ImageTag = aws.String(ir.Tag)
		default:
			id.ImageTag = aws.String("latest")
		}
		img, err := s.image(ctx, s.ecrIn(region), region, account, ir.Repository, id)
		if err != nil {
			t.Images[ref] = model.ImageLookup{Err: err.Error()}
			continue
		}
		t.Images[ref] = model.ImageLookup{Image: img}
	}
}

func (s *Source) ecrIn(region string) ECRAPI {
	if region == s.Region || s.ECRIn == nil {
		return s.ECR
	}
	return s.ECRIn(region)
}

// Image describes one image with its latest scan.
func (s *Source) Image(ctx context.Context, registryID, repo, digest string) (*model.Image, error) {
	return s.image(ctx, s.ECR, s.Region, registryID, repo, ecrtypes.ImageIdentifier{ImageDigest: aws.String(digest)})
}

func (s *Source) image(ctx context.Context, client ECRAPI, region, registryID, repo string, id ecrtypes.ImageIdentifier) (*model.Image, error) {
	out, err := client.DescribeImages(ctx, &ecr.DescribeImagesInput{
		RegistryId: aws.String(registryID), RepositoryName: aws.String(repo), ImageIds: []ecrtypes.ImageIdentifier{id},
	})
	name := repo + ":" + aws.ToString(id.ImageTag) + aws.ToString(id.ImageDigest)
	if err != nil {
		if c := errorCode(err); c == "ImageNotFoundException" || c == "RepositoryNotFoundException" {
			return nil, fmt.Errorf("describe image %s in registry %s: %w (%s)", name, registryID, ErrNotFound, c)
		}
		return nil, fmt.Errorf("describe image %s in registry %s: %w", name, registryID, err)
	}
	if len(out.ImageDetails) == 0 {
		return nil, fmt.Errorf("describe image %s in registry %s: %w", name, registryID, ErrNotFound)
	}
	return s.withScan(ctx, client, region, out.ImageDetails[0])
}

// withScan completes an image with its scan: from the DescribeImages summary when present, else from
// DescribeImageScanFindings (one call, only for this image).
func (s *Source) withScan(ctx context.Context, client ECRAPI, region string, d ecrtypes.ImageDetail) (*model.Image, error) {
	img := &model.Image{Detail: d}
	img.Source = "ecr:DescribeImages"
	img.Account, img.Region, img.Partition = aws.ToString(d.RegistryId), region, model.PartitionOf(region)
	img.ARN = model.ImageARN(img.Partition, region, img.Account, aws.ToString(d.RepositoryName), aws.ToString(d.ImageDigest))
	if d.ImageScanFindingsSummary != nil && !hasFindings(d.ImageScanFindingsSummary.FindingSeverityCounts) {
		return img, nil
	}
	out, err := client.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{
		RegistryId: d.RegistryId, RepositoryName: d.RepositoryName,
		ImageId: &ecrtypes.ImageIdentifier{ImageDigest: d.ImageDigest}, MaxResults: aws.Int32(100),
	})
	if err != nil {
		if errorCode(err) == "ScanNotFoundException" {
			return img, nil // never scanned: image rules judge that
		}
		if d.ImageScanFindingsSummary != nil {
			return img, nil // the summary is enough; the CVE names are a nicety
		}
		return nil, fmt.Errorf("describe scan findings of %s@%s: %w", aws.ToString(d.RepositoryName), aws.ToString(d.ImageDigest), err)
	}
	if out.ImageScanStatus != nil {
		img.Detail.ImageScanStatus = out.ImageScanStatus
	}
	if f := out.ImageScanFindings; f != nil {
		if img.Detail.ImageScanFindingsSummary == nil {
			img.Detail.ImageScanFindingsSummary = &ecrtypes.ImageScanFindingsSummary{
				FindingSeverityCounts:        f.FindingSeverityCounts,
				ImageScanCompletedAt:         f.ImageScanCompletedAt,
				VulnerabilitySourceUpdatedAt: f.VulnerabilitySourceUpdatedAt,
			}
		}
		img.Findings = s.top(f)
	}
	return img, nil
}

func hasFindings(counts map[string]int32) bool {
	for _, n := range counts {
		if n > 0 {
			return true
		}
	}
	return false
}

var severityOrder = map[string]int{"CRITICAL": 5, "HIGH": 4, "MEDIUM": 3, "LOW": 2, "INFORMATIONAL": 1}

func (s *Source) top(f *ecrtypes.ImageScanFindings) []model.ScanFinding {
	var out []model.ScanFinding
	for _, x := range f.Findings {
		out = append(out, model.ScanFinding{Name: aws.ToString(x.Name), Severity: string(x.Severity)})
	}
	for _, x := range f.EnhancedFindings {
		name := aws.ToString(x.Title)
		if x.PackageVulnerabilityDetails != nil && x.PackageVulnerabilityDetails.VulnerabilityId != nil {
			name = *x.PackageVulnerabilityDetails.VulnerabilityId
		}
		out = append(out, model.ScanFinding{Name: name, Severity: aws.ToString(x.Severity)})
	}
	sort.SliceStable(out, func(i, j int) bool { return severityOrder[out[i].Severity] > severityOrder[out[j].Severity] })
	if len(out) > s.topFindings {
		out = out[:s.topFindings]
	}
	return out
}

// Registry reads the registry's scanning configuration.
func (s *Source) Registry(ctx context.Context) (*model.Registry, error) {
	out, err := s.ECR.GetRegistryScanningConfiguration(ctx, &ecr.GetRegistryScanningConfigurationInput{})
	if err != nil {
		return nil, fmt.Errorf("get registry scanning configuration: %w", err)
	}
	g := &model.Registry{RegistryID: aws.ToString(out.RegistryId)}
	if out.ScanningConfiguration != nil {
		g.Scanning = *out.ScanningConfiguration
	}
	if g.Scanning.ScanType == "" {
		g.Scanning.ScanType = ecrtypes.ScanTypeBasic
	}
	if g.RegistryID == "" {
		g.RegistryID = s.Account
	}
	g.Source = "ecr:GetRegistryScanningConfiguration"
	g.Account, g.Region, g.Partition = g.RegistryID, s.Region, s.Partition
	g.ARN = model.RegistryARN(s.Partition, s.Region, g.RegistryID)
	return g, nil
}

// Repository reads one repository with its lifecycle policy, repository policy, tags and key manager; registry is
// the registry's scanning configuration (read once per invocation by the caller).
func (s *Source) Repository(ctx context.Context, name string, registry *model.Registry) (*model.Repository, error) {
	out, err := s.ECR.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
	if err != nil {
		if errorCode(err) == "RepositoryNotFoundException" {
			return nil, fmt.Errorf("describe repository %s: %w", name, ErrNotFound)
		}
		return nil, fmt.Errorf("describe repository %s: %w", name, err)
	}
	if len(out.Repositories) == 0 {
		return nil, fmt.Errorf("describe repository %s: %w", name, ErrNotFound)
	}
	return s.Complete(ctx, out.Repositories[0], registry)
}

// Complete reads what DescribeRepositories does not return for one repository.
func (s *Source) Complete(ctx context.Context, repo ecrtypes.Repository, registry *model.Registry) (*model.Repository, error) {
	r := &model.Repository{Repo: repo, Described: true}
	r.Source = "ecr:DescribeRepositories"
	s.identify(&r.Ref, aws.ToString(repo.RepositoryArn))
	name := aws.ToString(repo.RepositoryName)
	if registry != nil {
		r.Registry = &registry.Scanning
	}
	lc, err := s.ECR.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String(name), RegistryId: repo.RegistryId})
	switch {
	case err == nil:
		r.LifecyclePolicy, r.LifecycleKnown = aws.ToString(lc.LifecyclePolicyText), true
	case errorCode(err) == "LifecyclePolicyNotFoundException":
		r.LifecycleKnown = true
	default:
		return nil, fmt.Errorf("get lifecycle policy of %s: %w", name, err)
	}
	pol, err := s.ECR.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String(name), RegistryId: repo.RegistryId})
	switch {
	case err == nil:
		r.Policy, r.PolicyKnown = aws.ToString(pol.PolicyText), true
	case errorCode(err) == "RepositoryPolicyNotFoundException":
		r.PolicyKnown = true
	default:
		return nil, fmt.Errorf("get repository policy of %s: %w", name, err)
	}
	tags, err := s.ECR.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: repo.RepositoryArn})
	if err != nil {
		return nil, fmt.Errorf("list tags of %s: %w", name, err)
	}
	r.Tags, r.TagsKnown = model.TagsFromECR(tags.Tags), true
	if ec := repo.EncryptionConfiguration; ec != nil && ec.KmsKey != nil && s.KMS != nil {
		key, err := s.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: ec.KmsKey})
		switch code := errorCode(err); {
		case code == "NotFoundException" || code == "AccessDeniedException":
			// A key in another account, or one this role may not describe: the rule judges the key by its
			// name and says the manager was not checked. A retry would not change the answer.
			key = nil
		case err != nil:
			return nil, fmt.Errorf("describe KMS key of repository %s: %w", name, err)
		}
		if key != nil && key.KeyMetadata != nil {
			switch key.KeyMetadata.KeyManager {
			case kmstypes.KeyManagerTypeAws:
				r.KeyManager = "AWS"
			case kmstypes.KeyManagerTypeCustomer:
				r.KeyManager = "CUSTOMER"
			}
		}
	}
	return r, nil
}
