package source

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// NewestImage returns the digest of a repository's most recently pushed image (ties broken by the larger digest),
// or "" for an empty repository.
func (s *Source) NewestImage(ctx context.Context, registryID, repo string) (string, error) {
	var all []ecrtypes.ImageDetail
	in := &ecr.DescribeImagesInput{RepositoryName: aws.String(repo), MaxResults: aws.Int32(1000)}
	if registryID != "" {
		in.RegistryId = aws.String(registryID)
	}
	p := ecr.NewDescribeImagesPaginator(s.ECR, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("list images of %s: %w", repo, err)
		}
		all = append(all, page.ImageDetails...)
	}
	if len(all) == 0 {
		return "", nil
	}
	sort.Slice(all, func(i, j int) bool {
		ti, tj := aws.ToTime(all[i].ImagePushedAt), aws.ToTime(all[j].ImagePushedAt)
		if !ti.Equal(tj) {
			return ti.After(tj)
		}
		return aws.ToString(all[i].ImageDigest) > aws.ToString(all[j].ImageDigest)
	})
	return aws.ToString(all[0].ImageDigest), nil
}

// Repositories lists every repository of the registry.
func (s *Source) Repositories(ctx context.Context) ([]ecrtypes.Repository, error) {
	var out []ecrtypes.Repository
	p := ecr.NewDescribeRepositoriesPaginator(s.ECR, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe repositories: %w", err)
		}
		out = append(out, page.Repositories...)
	}
	return out, nil
}

// LatestActiveRevisions returns, for every task definition family, the ARN of its highest ACTIVE revision.
// It works from the listings alone: the emulator (and AWS with a bare family name in some cases) cannot be trusted
// to describe "the latest" for us.
func (s *Source) LatestActiveRevisions(ctx context.Context) ([]string, error) {
	arns, err := s.ActiveRevisions(ctx)
	if err != nil {
		return nil, err
	}
	best := map[string]string{}
	bestRev := map[string]int{}
	for _, a := range arns {
		fam, rev := model.FamilyRevision(a)
		if rev > bestRev[fam] {
			best[fam], bestRev[fam] = a, rev
		}
	}
	out := make([]string, 0, len(best))
	for _, a := range best {
		out = append(out, a)
	}
	sort.Strings(out)
	return out, nil
}

// ActiveRevisions lists every ACTIVE task definition revision ARN.
func (s *Source) ActiveRevisions(ctx context.Context) ([]string, error) {
	var out []string
	p := ecs.NewListTaskDefinitionsPaginator(s.ECS, &ecs.ListTaskDefinitionsInput{Status: ecstypes.TaskDefinitionStatusActive, MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list task definitions: %w", err)
		}
		out = append(out, page.TaskDefinitionArns...)
	}
	return out, nil
}

// HasRevision reports whether a task definition ARN or name ends in ":<revision>".
func HasRevision(arn string) bool {
	_, rev := model.FamilyRevision(arn)
	return rev > 0
}

// LatestActiveRevision returns the highest ACTIVE revision of the family named by a family ARN or name, or "" when
// the family has none.
func (s *Source) LatestActiveRevision(ctx context.Context, family string) (string, error) {
	if i := strings.LastIndex(family, "/"); i >= 0 {
		family = family[i+1:]
	}
	best, bestRev := "", 0
	p := ecs.NewListTaskDefinitionsPaginator(s.ECS, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family),
		Status: ecstypes.TaskDefinitionStatusActive, MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("list task definitions of family %s: %w", family, err)
		}
		for _, a := range page.TaskDefinitionArns {
			// familyPrefix matches other families that start with the same text.
			if fam, rev := model.FamilyRevision(a); fam == family && rev > bestRev {
				best, bestRev = a, rev
			}
		}
	}
	return best, nil
}
