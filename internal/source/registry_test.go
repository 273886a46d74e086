package source

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/ecsaudit/ecsaudit/internal/imagefile"
	"github.com/ecsaudit/ecsaudit/internal/testenv/awstest"
	"github.com/ecsaudit/ecsaudit/internal/testenv/emulator"
	"github.com/ecsaudit/ecsaudit/internal/testenv/registry"
)

const repoURI = account + ".dkr.ecr.us-east-1.amazonaws.com/web"

type registryEnv struct {
	shim     *emulator.Shim
	ecr      *ecr.Client
	reg      *registry.Registry
	password string
}

// newRegistryEnv starts the emulator behind its shim, an ECR repository "web", and a test registry that accepts
// only the tokens the shim issued; password is one such token, for pushing.
func newRegistryEnv(t *testing.T) *registryEnv {
	t.Helper()
	srv := awstest.Emulator(t)
	shim, err := emulator.NewShim(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(shim)
	t.Cleanup(hs.Close)
	client := ecr.NewFromConfig(awstest.Config(hs.URL, "us-east-1"))
	ctx := context.Background()
	if _, err := client.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	tok, err := client.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(aws.ToString(tok.AuthorizationData[0].AuthorizationToken))
	_, password, _ := strings.Cut(string(raw), ":")
	return &registryEnv{shim: shim, ecr: client, reg: registry.Start(t, shim.RegistryTokenValid), password: password}
}

// push writes img to the registry and records it in ECR with the same manifest and digest, as a docker push does.
func (e *registryEnv) push(t *testing.T, img v1.Image, tag string) string {
	t.Helper()
	digest, manifest := e.reg.Push(t, "web", img, e.password)
	_, err := e.ecr.PutImage(context.Background(), &ecr.PutImageInput{RepositoryName: aws.String("web"),
		ImageManifest: aws.String(string(manifest)), ImageTag: aws.String(tag), ImageDigest: aws.String(digest)})
	if err != nil {
		t.Fatal(err)
	}
	return digest
}

func TestRegistryReadsAnImageWithAnECRToken(t *testing.T) {
	e := newRegistryEnv(t)
	img := registry.Image(t, "",
		[]registry.File{{Path: "usr/bin/passwd", Mode: 0o4755, Content: "x"}, {Path: "root/.ssh/id_rsa", Content: "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n"}},
		[]registry.File{{Path: "root/.ssh/id_rsa", Delete: true}})
	digest := e.push(t, img, "1.0")

	r := &Registry{Auth: e.ecr, Endpoint: e.reg.URL}
	for i := 0; i < 2; i++ {
		imgs, err := r.ImageContents(context.Background(), repoURI, digest, "", imagefile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(imgs) != 1 {
			t.Fatalf("read %d images, want 1", len(imgs))
		}
		got := imgs[0]
		if got.Digest != digest || got.Platform != "linux/amd64" || got.Layers != 2 || got.LayersRead != 2 || got.Incomplete != "" {
			t.Errorf("digest %s platform %s layers %d/%d incomplete %q", got.Digest, got.Platform, got.LayersRead, got.Layers, got.Incomplete)
		}
		if len(got.SetuidFiles) != 1 || got.SetuidFiles[0].Path != "/usr/bin/passwd" {
			t.Errorf("setuid files %+v, want /usr/bin/passwd", got.SetuidFiles)
		}
		if len(got.CredentialFiles) != 1 || !got.CredentialFiles[0].Deleted || got.CredentialFiles[0].Layer != 0 {
			t.Errorf("credential files %+v, want the key of layer 0, deleted", got.CredentialFiles)
		}
		if got.Source != "ecr:"+repoURI+"@"+digest {
			t.Errorf("source %q", got.Source)
		}
	}
	if n := e.shim.Calls("ecr:GetAuthorizationToken"); n != 2 { // one for the push, one for both reads
		t.Errorf("GetAuthorizationToken called %d times, want 2 (the token is cached)", n)
	}
	if e.reg.Refused.Load() == 0 {
		t.Error("the registry never challenged the reader: the test does not show authentication")
	}
}

// forged issues a token the shim never issued.
type forged struct{}

func (forged) GetAuthorizationToken(context.Context, *ecr.GetAuthorizationTokenInput, ...func(*ecr.Options)) (*ecr.GetAuthorizationTokenOutput, error) {
	tok := base64.StdEncoding.EncodeToString([]byte("AWS:" + account + "-auth-token"))
	return &ecr.GetAuthorizationTokenOutput{AuthorizationData: []ecrtypes.AuthorizationData{{AuthorizationToken: &tok}}}, nil
}

func TestRegistryDeniedIsSaid(t *testing.T) {
	e := newRegistryEnv(t)
	digest := e.push(t, registry.Image(t, "1000", []registry.File{{Path: "app", Content: "x"}}), "1.0")
	r := &Registry{Auth: forged{}, Endpoint: e.reg.URL}
	_, err := r.ImageContents(context.Background(), repoURI, digest, "", imagefile.Options{})
	if !errors.Is(err, ErrImageDenied) {
		t.Fatalf("err = %v, want ErrImageDenied", err)
	}
	if !strings.Contains(err.Error(), repoURI+"@"+digest) {
		t.Errorf("the error does not name the image: %v", err)
	}
}

func TestRegistryReadsThePlatformAsked(t *testing.T) {
	e := newRegistryEnv(t)
	amd := registry.Image(t, "", []registry.File{{Path: "bin/sh", Mode: 0o755, Content: "x"}})
	armCfg, _ := registry.Image(t, "1000", []registry.File{{Path: "app", Content: "y"}}).ConfigFile()
	armCfg = armCfg.DeepCopy()
	armCfg.Architecture, armCfg.Variant = "arm64", "v8"
	arm, err := mutate.ConfigFile(registry.Image(t, "1000", []registry.File{{Path: "app", Content: "y"}}), armCfg)
	if err != nil {
		t.Fatal(err)
	}
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}})
	ref, err := name.ParseReference(e.reg.Host + "/web:multi")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx, remote.WithAuth(authn.FromConfig(authn.AuthConfig{Username: "AWS", Password: e.password}))); err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	r := &Registry{Auth: e.ecr, Endpoint: e.reg.URL}
	ctx := context.Background()

	all, err := r.ImageContents(ctx, repoURI, d.String(), "", imagefile.Options{})
	if err != nil || len(all) != 2 {
		t.Fatalf("every platform: %d images, %v; want 2", len(all), err)
	}
	one, err := r.ImageContents(ctx, repoURI, d.String(), "linux/arm64", imagefile.Options{})
	if err != nil || len(one) != 1 || one[0].Platform != "linux/arm64/v8" || one[0].Config.User != "1000" {
		t.Fatalf("linux/arm64: %+v, %v; want the arm64 image only", one, err)
	}
	if _, err := r.ImageContents(ctx, repoURI, d.String(), "windows/amd64", imagefile.Options{}); !errors.Is(err, imagefile.ErrNoPlatform) {
		t.Fatalf("windows/amd64: err = %v, want ErrNoPlatform", err)
	}
}
