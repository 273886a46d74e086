package load

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }

// Link joins what the inputs said about the same things: policies and registry scanning configuration to
// repositories, scan findings to images, and images to the task definitions that reference them.
// Call it once, after every Add.
func (s *Set) Link() {
	for _, a := range s.policies {
		r := s.repoFor(a)
		r.Policy, r.PolicyKnown = a.text, true
	}
	for _, a := range s.lifecycles {
		r := s.repoFor(a)
		r.LifecyclePolicy, r.LifecycleKnown = a.text, true
	}
	for _, r := range s.Repos {
		r.Registry = s.registryFor(r.Account)
	}
	s.linkKeys()
	if len(s.Images) == 0 {
		return // nothing below to join: spare the common case (task definitions only) the map
	}
	byRepo := map[string][]*model.Image{}
	for _, img := range s.Images {
		name := aws.ToString(img.Detail.RepositoryName)
		if img.Region == "" {
			if r := s.findRepo(img.Account, name); r != nil {
				img.Region, img.Partition = r.Region, r.Partition
			}
		}
		if img.ARN == "" && img.Account != "" && img.Region != "" {
			img.ARN = model.ImageARN(img.Partition, img.Region, img.Account, name, aws.ToString(img.Detail.ImageDigest))
		}
		if fs, ok := s.findings[aws.ToString(img.Detail.ImageDigest)]; ok {
			img.Findings = fs
		}
		byRepo[name] = append(byRepo[name], img)
	}
	if len(byRepo) == 0 {
		return
	}
	for _, t := range s.Tasks {
		for _, c := range t.Def.ContainerDefinitions {
			ref := aws.ToString(c.Image)
			ir := model.ParseImageRef(ref)
			account, _, ok := ir.ECR()
			if !ok {
				continue
			}
			imgs, ok := byRepo[ir.Repository]
			if !ok {
				continue
			}
			if t.Images == nil {
				t.Images = map[string]model.ImageLookup{}
			}
			t.Images[ref] = lookup(imgs, account, ir)
		}
	}
}

func lookup(imgs []*model.Image, account string, ir model.ImageRef) model.ImageLookup {
	tag := ir.Tag
	if tag == "" && ir.Digest == "" {
		tag = "latest"
	}
	for _, img := range imgs {
		if img.Account != "" && img.Account != account {
			continue
		}
		if ir.Digest != "" {
			if aws.ToString(img.Detail.ImageDigest) == ir.Digest {
				return model.ImageLookup{Image: img}
			}
			continue
		}
		for _, t := range img.Detail.ImageTags {
			if t == tag {
				return model.ImageLookup{Image: img}
			}
		}
	}
	return model.ImageLookup{Err: "the input's describe-images output for repository " + ir.Repository + " has no image " + ir.Tag + ir.Digest}
}

func (s *Set) findRepo(account, name string) *model.Repository {
	for _, r := range s.Repos {
		if r.Name() == name && (account == "" || r.Account == "" || r.Account == account) {
			return r
		}
	}
	return nil
}

func (s *Set) repoFor(a attachment) *model.Repository {
	if r := s.findRepo(a.registryID, a.repo); r != nil {
		return r
	}
	// Only a policy of this repository was given: audit what it holds, the rest is not available.
	r := &model.Repository{Repo: ecrtypes.Repository{RepositoryName: &a.repo}}
	if a.registryID != "" {
		r.Repo.RegistryId = &a.registryID
	}
	r.Source = a.source
	s.identify(&r.Ref, "")
	if a.registryID != "" {
		r.Account = a.registryID
	}
	if r.Account != "" && r.Region != "" {
		r.ARN = "arn:" + r.Partition + ":ecr:" + r.Region + ":" + r.Account + ":repository/" + a.repo
	}
	s.Repos = append(s.Repos, r)
	return r
}

func (s *Set) registryFor(account string) *ecrtypes.RegistryScanningConfiguration {
	if len(s.Registries) == 1 && (account == "" || s.Registries[0].Account == "" || s.Registries[0].Account == account) {
		return &s.Registries[0].Scanning
	}
	for _, g := range s.Registries {
		if g.Account == account {
			return &g.Scanning
		}
	}
	return nil
}
