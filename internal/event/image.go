package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// imageScan reads the detail of "ECR Image Scan" (basic scanning) and "Inspector2 Scan" (enhanced scanning) events,
// which share their shape; Inspector2 puts the repository ARN in repository-name.
func (b base) imageScan(detail json.RawMessage) ([]Action, error) {
	var d struct {
		ScanStatus     string   `json:"scan-status"`
		RepositoryName string   `json:"repository-name"`
		ImageDigest    string   `json:"image-digest"`
		ImageTags      []string `json:"image-tags"`
	}
	if err := decode("detail", detail, &d); err != nil {
		return nil, err
	}
	a, err := b.image(AuditImage, d.RepositoryName, "", d.ImageDigest)
	if err != nil {
		return nil, err
	}
	if len(d.ImageTags) > 0 {
		a.ImageTag = d.ImageTags[0]
	}
	return []Action{a}, nil
}

// imageAction reads the detail of an "ECR Image Action" event: a push or a delete.
func (b base) imageAction(detail json.RawMessage) ([]Action, error) {
	var d struct {
		Result         string `json:"result"`
		RepositoryName string `json:"repository-name"`
		ImageDigest    string `json:"image-digest"`
		ActionType     string `json:"action-type"`
		ImageTag       string `json:"image-tag"`
	}
	if err := decode("detail", detail, &d); err != nil {
		return nil, err
	}
	if d.Result != "" && d.Result != "SUCCESS" {
		return b.ignore("image %s did not succeed (result %s)", strings.ToLower(d.ActionType), d.Result), nil
	}
	var k Kind
	switch d.ActionType {
	case "PUSH":
		k = AuditImage
	case "DELETE":
		k = ArchiveImage
	default:
		return b.ignore("image action %q is not audited", d.ActionType), nil
	}
	a, err := b.image(k, d.RepositoryName, "", d.ImageDigest)
	if err != nil {
		return nil, err
	}
	a.ImageTag = d.ImageTag
	return []Action{a}, nil
}

// inspectorFinding reads the detail of an "Inspector2 Finding" event: one audit per ECR image the finding is about.
// Findings on EC2 instances or Lambda functions are ignored.
func (b base) inspectorFinding(detail json.RawMessage) ([]Action, error) {
	var d struct {
		Resources []struct {
			Type    string `json:"type"`
			Details struct {
				Image *struct {
					RepositoryName string   `json:"repositoryName"`
					ImageHash      string   `json:"imageHash"`
					Registry       string   `json:"registry"`
					ImageTags      []string `json:"imageTags"`
				} `json:"awsEcrContainerImage"`
			} `json:"details"`
		} `json:"resources"`
	}
	if err := decode("detail", detail, &d); err != nil {
		return nil, err
	}
	var acts []Action
	for i, r := range d.Resources {
		if r.Type != "AWS_ECR_CONTAINER_IMAGE" {
			continue
		}
		img := r.Details.Image
		if img == nil {
			return nil, fmt.Errorf("detail.resources[%d].details.awsEcrContainerImage: missing", i)
		}
		a, err := b.image(AuditImage, img.RepositoryName, img.Registry, img.ImageHash)
		if err != nil {
			return nil, fmt.Errorf("detail.resources[%d]: %w", i, err)
		}
		if len(img.ImageTags) > 0 {
			a.ImageTag = img.ImageTags[0]
		}
		acts = append(acts, a)
	}
	if len(acts) == 0 {
		return b.ignore("Inspector2 finding is not about an ECR image"), nil
	}
	return acts, nil
}

// image builds an image action. repo is a repository name or ARN; registry defaults to the event's account.
func (b base) image(k Kind, repo, registry, digest string) (Action, error) {
	if repo == "" {
		return Action{}, errors.New("no repository name")
	}
	if !strings.HasPrefix(digest, "sha256:") && !strings.HasPrefix(digest, "sha512:") {
		return Action{}, fmt.Errorf("image digest %q is not a digest", digest)
	}
	a := b.action(k)
	a.ImageDigest = digest
	if arn, ok := model.ParseARN(repo); ok {
		name, isRepo := strings.CutPrefix(arn.Resource, "repository/")
		if arn.Service != "ecr" || !isRepo || name == "" {
			return Action{}, fmt.Errorf("%q is not a repository ARN", repo)
		}
		a.ARN, a.RepositoryName, a.RegistryID = repo, name, arn.Account
		return a, nil
	}
	a.RepositoryName = repo
	a.RegistryID = first(registry, b.account)
	a.ARN = repositoryARN(b.region, a.RegistryID, repo)
	return a, nil
}
