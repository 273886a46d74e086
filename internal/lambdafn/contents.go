package lambdafn

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/imagefile"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/source"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

// ContentsReader reads an ECR image's contents from its registry (source.Registry).
type ContentsReader interface {
	ImageContents(ctx context.Context, repositoryURI, digest, platform string, opts imagefile.Options) ([]*model.ImageContents, error)
}

// Contents configures the audit of image contents read from ECR: on push, and when a revision runs an image.
type Contents struct {
	Reader ContentsReader
	// Options carry the byte budget per image.
	Options imagefile.Options
	// Version names the catalog and configuration: an image is read once per version (state.ImageIndex).
	Version string
	// PerSweep is how many images a sweep invocation reads at most (those no event read: images that predate the
	// auditor, or read under an earlier version); the rest wait for the next sweep.
	PerSweep int
}

// pendingContents is an image whose contents were evaluated in this invocation, to be recorded once published.
type pendingContents struct {
	digest, version string
	result          state.ContentsResult
}

// auditContents reads the contents of the ECR image img, for the platform a revision runs (td nil: every
// platform), unless they were read under this version already or earlier in this invocation. A registry that
// refuses the function's credentials or no longer holds the image, or an index without the revision's platform,
// gives NOT_AVAILABLE findings
// naming why (and nothing is recorded, so a later event reads it again); any other failure asks for a retry.
func (s *Service) auditContents(ctx context.Context, inv *invocation, img *model.Image, td *model.TaskDefinition) error {
	if s.Contents == nil || img == nil {
		return nil
	}
	digest := aws.ToString(img.Detail.ImageDigest)
	repo := aws.ToString(img.Detail.RepositoryName)
	platform := taskPlatform(td)
	key := "contents:" + digest + ":" + platform
	if digest == "" || repo == "" || inv.audited[key] {
		return nil
	}
	inv.audited[key] = true
	// A read of every platform (on push) covers a revision's platform; a revision's read covers only its own.
	versions := []string{s.Contents.Version}
	if platform != "" {
		versions = append(versions, s.Contents.Version+"#"+platform)
	}
	if s.Index != nil {
		for _, v := range versions {
			done, err := s.Index.ContentsRead(ctx, digest, v)
			if err != nil {
				return err
			}
			if done {
				return nil
			}
		}
	}
	account := aws.ToString(img.Detail.RegistryId)
	if account == "" {
		account = img.Account
	}
	uri := account + ".dkr.ecr." + img.Region + "." + ecrDomain(img.Partition) + "/" + repo
	readAt := s.Now().UTC()
	imgs, err := s.Contents.Reader.ImageContents(ctx, uri, digest, platform, s.Contents.Options)
	switch {
	case errors.Is(err, source.ErrImageDenied) || errors.Is(err, source.ErrImageMissing) || errors.Is(err, imagefile.ErrNoPlatform):
		s.Log.Warn("image contents not read", "repository", repo, "digest", digest, "error", err.Error())
		s.Metrics.Add("ImagesNotRead", 1)
		unread := &model.ImageContents{Digest: digest, Unread: err.Error()}
		s.identifyContents(unread, img, repo)
		s.add(inv, unread, s.Engine.EvaluateOne(unread, inv.now), readAt)
		return nil
	case err != nil:
		return fmt.Errorf("read image contents %s@%s: %w", uri, digest, err)
	}
	var sum state.ContentsResult
	sum.ReadAt = inv.now
	for _, c := range imgs {
		s.identifyContents(c, img, repo)
		s.add(inv, c, s.Engine.EvaluateOne(c, inv.now), readAt)
		sum.LayersRead += int64(c.LayersRead)
		sum.BytesRead += c.BytesRead
		sum.Incomplete = sum.Incomplete || c.Incomplete != ""
	}
	s.Metrics.Add("ImageBytesRead", float64(sum.BytesRead))
	inv.contents = append(inv.contents, pendingContents{digest: digest, version: versions[len(versions)-1], result: sum})
	return nil
}

// identifyContents gives image contents the ARN of the ECR image they were read from; their findings are kept
// under model.ContentsID of it, apart from the image's scan findings.
func (s *Service) identifyContents(c *model.ImageContents, img *model.Image, repo string) {
	c.Partition, c.Account, c.Region = img.Partition, img.Account, img.Region
	c.ARN = img.ID()
	if c.ARN == "" || !strings.HasPrefix(c.ARN, "arn:") {
		c.ARN = model.ImageARN(img.Partition, img.Region, img.Account, repo, aws.ToString(img.Detail.ImageDigest))
	}
}

// recordContents records the contents published in this invocation, so they are not read again under this
// version (and platform, for a revision's read).
func (s *Service) recordContents(ctx context.Context, inv *invocation) error {
	if s.Index == nil {
		return nil
	}
	var errs []error
	for _, p := range inv.contents {
		if err := s.Index.RecordContents(ctx, p.digest, p.version, p.result); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// taskPlatform is the platform a revision declares (runtimePlatform) as os/arch, or "" when it declares none.
func taskPlatform(td *model.TaskDefinition) string {
	if td == nil || td.Def.RuntimePlatform == nil {
		return ""
	}
	p := td.Def.RuntimePlatform
	os := "linux"
	if strings.HasPrefix(string(p.OperatingSystemFamily), "WINDOWS") {
		os = "windows"
	}
	switch p.CpuArchitecture {
	case ecstypes.CPUArchitectureArm64:
		return os + "/arm64"
	case ecstypes.CPUArchitectureX8664:
		return os + "/amd64"
	}
	if p.OperatingSystemFamily == "" {
		return ""
	}
	return os + "/amd64" // ECS's default architecture
}

func ecrDomain(partition string) string {
	if partition == "aws-cn" {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// sweepContents reads the contents of the account's images in scope that were not read under this version, at
// most Contents.PerSweep of them, and publishes their findings. Only the own account's images are read: a member
// account's registry would need that account's role to allow pulling (its images are read by events there).
func (s *Service) sweepContents(ctx context.Context, account string, imgs []*model.Image) error {
	if s.Contents == nil || account != s.Source.Account {
		return nil
	}
	now := s.Now().UTC()
	inv := &invocation{now: now, batch: &engine.Batch{ObservedAt: now}, audited: map[string]bool{}}
	var errs []error
	for _, img := range imgs {
		if len(inv.contents) >= s.Contents.PerSweep {
			break
		}
		if err := s.auditContents(ctx, inv, img, nil); err != nil {
			errs = append(errs, err)
		}
	}
	if len(inv.batch.Evaluated) > 0 {
		if err := s.Sink.Publish(ctx, *inv.batch); err != nil {
			return errors.Join(append(errs, fmt.Errorf("publish image contents: %w", err))...)
		}
		if err := s.recordContents(ctx, inv); err != nil {
			errs = append(errs, err)
		}
	}
	s.Log.Info("image contents swept", "inScope", len(imgs), "read", len(inv.contents), "errors", len(errs))
	return errors.Join(errs...)
}
