package source

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/ecsaudit/ecsaudit/internal/testenv/awstest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	awstest.Stop()
	os.Exit(code)
}

const account = "123456789012" // moto's default account

func clients(t *testing.T) (*Source, *ecs.Client, *ecr.Client) {
	srv := awstest.Emulator(t)
	cfg := awstest.Config(srv.URL, "us-east-1")
	ecsc, ecrc := ecs.NewFromConfig(cfg), ecr.NewFromConfig(cfg)
	return New(account, "us-east-1", ecsc, ecrc, kms.NewFromConfig(cfg)), ecsc, ecrc
}

// manifest returns a Docker image manifest whose layer digest is unique to seed, so the emulator gives it a unique
// image digest.
func manifest(seed int) string {
	return fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",`+
		`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":100,"digest":"sha256:%064x"},`+
		`"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":200,"digest":"sha256:%064x"}]}`, seed, seed+1000)
}

func TestTaskDefinitionWithImagesAndTags(t *testing.T) {
	src, ecsc, ecrc := clients(t)
	ctx := context.Background()
	if _, err := ecrc.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	put, err := ecrc.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("web"), ImageManifest: aws.String(manifest(1)), ImageTag: aws.String("1.0")})
	if err != nil {
		t.Fatal(err)
	}
	digest := aws.ToString(put.Image.ImageId.ImageDigest)
	if _, err := ecrc.StartImageScan(ctx, &ecr.StartImageScanInput{RepositoryName: aws.String("web"), ImageId: &ecrtypes.ImageIdentifier{ImageDigest: &digest}}); err != nil {
		t.Fatal(err)
	}
	reg, err := ecsc.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("web"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{
			{Name: aws.String("app"), Image: aws.String(account + ".dkr.ecr.us-east-1.amazonaws.com/web:1.0"), Memory: aws.Int32(256)},
			{Name: aws.String("gone"), Image: aws.String(account + ".dkr.ecr.us-east-1.amazonaws.com/web:missing"), Memory: aws.Int32(64)},
			{Name: aws.String("hub"), Image: aws.String("nginx:1.27"), Memory: aws.Int32(64)},
		},
		Tags: []ecstypes.Tag{{Key: aws.String("team"), Value: aws.String("payments")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(reg.TaskDefinition.TaskDefinitionArn)
	td, err := src.TaskDefinition(ctx, arn)
	if err != nil {
		t.Fatal(err)
	}
	if td.ARN != arn || td.Account != account || td.Region != "us-east-1" || td.Tags["team"] != "payments" {
		t.Fatalf("identity or tags wrong: %+v", td.Ref)
	}
	src.ResolveImages(ctx, td)
	app := td.Images[account+".dkr.ecr.us-east-1.amazonaws.com/web:1.0"]
	if app.Image == nil || aws.ToString(app.Image.Detail.ImageDigest) != digest {
		t.Fatalf("app image not resolved: %+v", app)
	}
	if s := app.Image.Detail.ImageScanFindingsSummary; s == nil || len(s.FindingSeverityCounts) == 0 {
		t.Fatalf("scan summary missing: %+v", app.Image.Detail)
	}
	if len(app.Image.Findings) == 0 {
		t.Fatalf("top findings missing")
	}
	gone := td.Images[account+".dkr.ecr.us-east-1.amazonaws.com/web:missing"]
	if gone.Image != nil || gone.Err == "" {
		t.Fatalf("missing image should carry an error: %+v", gone)
	}
	if _, ok := td.Images["nginx:1.27"]; ok {
		t.Fatalf("a Docker Hub image must not be looked up in ECR")
	}
}

func TestTaskDefinitionExistsUsesListing(t *testing.T) {
	src, ecsc, _ := clients(t)
	ctx := context.Background()
	reg, err := ecsc.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("api"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("a"), Image: aws.String("x"), Memory: aws.Int32(64)}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(reg.TaskDefinition.TaskDefinitionArn)
	if ok, err := src.TaskDefinitionExists(ctx, arn); err != nil || !ok {
		t.Fatalf("exists: %v %v", ok, err)
	}
	if ok, err := src.TaskDefinitionExists(ctx, arn[:len(arn)-1]+"9"); err != nil || ok {
		t.Fatalf("revision 9 should not exist: %v %v", ok, err)
	}
	if _, err := src.TaskDefinition(ctx, arn[:len(arn)-1]+"9"); err == nil {
		t.Fatalf("describe of a missing revision should fail")
	}
}

func TestRepositoryAndRegistry(t *testing.T) {
	src, _, ecrc := clients(t)
	ctx := context.Background()
	_, err := ecrc.CreateRepository(ctx, &ecr.CreateRepositoryInput{
		RepositoryName:             aws.String("api"),
		ImageTagMutability:         ecrtypes.ImageTagMutabilityImmutable,
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: true},
		Tags:                       []ecrtypes.Tag{{Key: aws.String("owner"), Value: aws.String("team-a")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]}`
	if _, err := ecrc.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String("api"), PolicyText: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	reg, err := src.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if reg.Scanning.ScanType != ecrtypes.ScanTypeBasic || reg.RegistryID != account {
		t.Fatalf("registry: %+v", reg)
	}
	r, err := src.Repository(ctx, "api", reg)
	if err != nil {
		t.Fatal(err)
	}
	if !r.LifecycleKnown || r.LifecyclePolicy != "" {
		t.Errorf("lifecycle: known=%v text=%q", r.LifecycleKnown, r.LifecyclePolicy)
	}
	if !r.PolicyKnown || r.Policy == "" {
		t.Errorf("policy not read: %+v", r)
	}
	if !r.TagsKnown || r.Tags["owner"] != "team-a" || r.Registry == nil {
		t.Errorf("tags/registry: %+v", r)
	}
	if _, err := src.Repository(ctx, "nope", reg); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing repository: want ErrNotFound, got %v", err)
	}
}

func TestLatestActiveRevisions(t *testing.T) {
	src, ecsc, _ := clients(t)
	ctx := context.Background()
	register := func(family string) string {
		out, err := ecsc.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(family),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("a"), Image: aws.String("x"), Memory: aws.Int32(64)}}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	}
	var web []string
	for i := 0; i < 11; i++ {
		web = append(web, register("web"))
	}
	api := register("api")
	if _, err := ecsc.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(web[10])}); err != nil {
		t.Fatal(err)
	}
	got, err := src.LatestActiveRevisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// web:10 beats web:9 numerically (not as text), and the deregistered web:11 is not a candidate.
	if len(got) != 2 || got[0] != api || got[1] != web[9] {
		t.Fatalf("got %v, want [%s %s]", got, api, web[9])
	}
	if _, err := ecsc.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(api)}); err != nil {
		t.Fatal(err)
	}
	got, err = src.LatestActiveRevisions(ctx)
	if err != nil || len(got) != 1 {
		t.Fatalf("after deregistering api: %v %v", got, err)
	}
}

func TestNewestImage(t *testing.T) {
	src, _, ecrc := clients(t)
	ctx := context.Background()
	if _, err := ecrc.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	if d, err := src.NewestImage(ctx, "", "web"); err != nil || d != "" {
		t.Fatalf("empty repository: %q %v", d, err)
	}
	var digests []string
	for i := 0; i < 2; i++ {
		out, err := ecrc.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("web"), ImageManifest: aws.String(manifest(10 + i)), ImageTag: aws.String(fmt.Sprint("v", i))})
		if err != nil {
			t.Fatal(err)
		}
		digests = append(digests, aws.ToString(out.Image.ImageId.ImageDigest))
		time.Sleep(1100 * time.Millisecond) // the emulator records push times to the second
	}
	d, err := src.NewestImage(ctx, "", "web")
	if err != nil {
		t.Fatal(err)
	}
	if d != digests[1] {
		t.Fatalf("newest: got %s, pushed %v", d, digests)
	}
}

func TestLatestActiveRevisionOfFamily(t *testing.T) {
	src, ecsc, _ := clients(t)
	ctx := context.Background()
	var arns []string
	for _, fam := range []string{"web", "web", "web", "webhook"} {
		out, err := ecsc.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(fam),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("a"), Image: aws.String("x"), Memory: aws.Int32(64)}}})
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, aws.ToString(out.TaskDefinition.TaskDefinitionArn))
	}
	if _, err := ecsc.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(arns[2])}); err != nil {
		t.Fatal(err)
	}
	got, err := src.LatestActiveRevision(ctx, "arn:aws:ecs:us-east-1:"+account+":task-definition/web")
	if err != nil || got != arns[1] {
		t.Fatalf("got %q %v, want %s (web:3 is deregistered; webhook is another family)", got, err, arns[1])
	}
	if HasRevision("arn:aws:ecs:us-east-1:1:task-definition/web") || !HasRevision(arns[0]) {
		t.Fatal("HasRevision")
	}
}
