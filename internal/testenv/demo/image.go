package demo

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/ecsaudit/ecsaudit/internal/testenv/registry"
)

// ToolsImage is the image the demo pushes to the repository tools: a debug build whose first layer has a setuid
// helper and a deploy key that its second layer deletes (still in the image, for anyone who pulls it), running as
// root. Built from fixed files, it always has the digest events/ecr-image-action-push-tools.json names.
func ToolsImage() (v1.Image, error) {
	key := "-----BEGIN OPENSSH PRIVATE KEY-----\n" + strings.Repeat("demo-not-a-real-key/", 4) + "\n-----END OPENSSH PRIVATE KEY-----\n"
	return registry.BuildImage("",
		[]registry.File{
			{Path: "bin/sh", Mode: 0o755, Content: "#!demo shell\n"},
			{Path: "usr/local/bin/debug-helper", Mode: 0o4755, Content: "demo setuid helper\n"},
			{Path: "root/.ssh/id_ed25519", Mode: 0o600, Content: key},
		},
		[]registry.File{{Path: "root/.ssh/id_ed25519", Delete: true}})
}

// pushTools pushes ToolsImage to the test registry and records it in ECR under the digest the event names, as a
// docker push to ECR does.
func pushTools(ctx context.Context, e *Env) error {
	repo, digest, tag, err := e.imageEvent("ecr-image-action-push-tools.json")
	if err != nil {
		return err
	}
	client := ecr.NewFromConfig(e.Config)
	if _, err := client.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: &repo,
		ImageTagMutability:         ecrtypes.ImageTagMutabilityImmutable,
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: true}}); err != nil {
		return fmt.Errorf("create repository %s: %w", repo, err)
	}
	tok, err := client.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return err
	}
	raw, err := base64.StdEncoding.DecodeString(aws.ToString(tok.AuthorizationData[0].AuthorizationToken))
	if err != nil {
		return err
	}
	_, password, _ := strings.Cut(string(raw), ":")
	img, err := ToolsImage()
	if err != nil {
		return err
	}
	pushed, manifest, err := e.Registry.PushImage(ctx, repo, img, password)
	if err != nil {
		return err
	}
	if pushed != digest {
		return fmt.Errorf("the demo image's digest is %s, but events/ecr-image-action-push-tools.json names %s: update the event", pushed, digest)
	}
	_, err = client.PutImage(ctx, &ecr.PutImageInput{RepositoryName: &repo, ImageTag: &tag, ImageDigest: &digest,
		ImageManifest: aws.String(string(manifest))})
	return err
}
