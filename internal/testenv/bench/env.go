package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/testenv/emulator"
)

// Size is the account a benchmark seeds.
type Size struct {
	Revisions, Families, Repositories, Images int
}

// Full is the size of `make bench-sweep`: 10,000 revisions in 1,000 families, 500 repositories, 5,000 images.
func Full() Size { return Size{Revisions: 10000, Families: 1000, Repositories: 500, Images: 5000} }

// Small is a tenth of Full, for `make bench-sweep-small` and the CI test.
func Small() Size { return Size{Revisions: 1000, Families: 100, Repositories: 50, Images: 500} }

// The account and region the benchmark seeds (moto's default account).
const (
	Account = "123456789012"
	Region  = "us-east-1"
	Table   = "ecsaudit-state"
)

// Env is a running emulator behind the shim, which pages the ECS listings at 100 entries as AWS does.
type Env struct {
	Server *emulator.Server
	Shim   *emulator.Shim
	// URL is the shim's address: every client, the sweeper's included, goes through it.
	URL    string
	Config aws.Config
	Dir    string
	stop   func()

	once      sync.Once
	ecsClient *ecs.Client
}

// Start starts moto_server and the shim; dir receives moto's log.
func Start(ctx context.Context, dir string) (*Env, error) {
	srv, err := emulator.Start(ctx, filepath.Join(dir, "moto.log"), "MOTO_ACCOUNT_ID="+Account)
	if err != nil {
		return nil, err
	}
	shim, err := emulator.NewShim(srv.URL)
	if err != nil {
		srv.Stop()
		return nil, err
	}
	shim.SetPageSize(100)
	hs := httptest.NewServer(shim)
	cfg := emulator.Config(hs.URL, Region)
	// One HTTP client for every SDK client made from the configuration: each would otherwise keep its own idle
	// connections, and seeding makes thousands of calls.
	cfg.HTTPClient = awshttp.NewBuildableClient()
	e := &Env{Server: srv, Shim: shim, URL: hs.URL, Config: cfg, Dir: dir}
	e.stop = func() { hs.Close(); srv.Stop() }
	return e, nil
}

func (e *Env) ecs() *ecs.Client {
	e.once.Do(func() { e.ecsClient = ecs.NewFromConfig(e.Config) })
	return e.ecsClient
}

// Stop stops the shim and the emulator.
func (e *Env) Stop() {
	if e.stop != nil {
		e.stop()
		e.stop = nil
	}
}

// Seeded says what Seed did: the calls it made and how long the setup (Security Hub, table), the repositories with
// their images, and the revisions took.
type Seeded struct {
	Calls                    int
	Duration                 time.Duration
	Setup, Images, Revisions time.Duration
}

// seedWorkers is how many calls run at once while seeding: moto serves them one at a time, but the overlap of
// request handling in the client and the shim with moto's work is worth having.
const seedWorkers = 8

// Seed enables Security Hub, creates the state table, and creates the repositories, their images (every image with
// its own layer, hence its own digest) and the task definition revisions: each family's revisions run images of
// one repository, by tag (four in five) or by digest, so every image is run by some revision. One family in a
// hundred leaves the root filesystem writable (a HIGH finding per revision) and one repository in a hundred has
// mutable tags; everything else passes every rule that can be judged. (Most accounts fail more; but every
// resource with a finding costs the publisher state reads, which the emulator answers in time proportional to the
// whole table, and what is measured here is the sweep's reading of the account.)
func (e *Env) Seed(ctx context.Context, size Size) (Seeded, error) {
	start := time.Now()
	var calls atomic.Int64
	if _, err := securityhub.NewFromConfig(e.Config).EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
		return Seeded{}, fmt.Errorf("enable security hub: %w", err)
	}
	if err := state.CreateTable(ctx, dynamodb.NewFromConfig(e.Config), Table); err != nil {
		return Seeded{}, err
	}
	var out Seeded
	out.Setup = time.Since(start)
	key, err := kms.NewFromConfig(e.Config).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("ecr repositories")})
	if err != nil {
		return Seeded{}, fmt.Errorf("create key: %w", err)
	}
	ecrc := ecr.NewFromConfig(e.Config)
	perRepo := max(size.Images/max(size.Repositories, 1), 1)
	err = run(ctx, size.Repositories, func(r int) error {
		calls.Add(2)
		mutability := ecrtypes.ImageTagMutabilityImmutable
		if r%100 == 99 {
			mutability = ecrtypes.ImageTagMutabilityMutable
		}
		_, err := ecrc.CreateRepository(ctx, &ecr.CreateRepositoryInput{
			RepositoryName:             aws.String(repoName(r)),
			ImageTagMutability:         mutability,
			ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: true},
			EncryptionConfiguration:    &ecrtypes.EncryptionConfiguration{EncryptionType: ecrtypes.EncryptionTypeKms, KmsKey: key.KeyMetadata.Arn},
		})
		if err != nil {
			return fmt.Errorf("create repository %s: %w", repoName(r), err)
		}
		_, err = ecrc.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String(repoName(r)), LifecyclePolicyText: aws.String(lifecyclePolicy)})
		if err != nil {
			return fmt.Errorf("put lifecycle policy of %s: %w", repoName(r), err)
		}
		for i := range perRepo {
			calls.Add(1)
			manifest := imageManifest(r, i)
			_, err := ecrc.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String(repoName(r)), ImageTag: aws.String(tag(i)),
				ImageManifest: aws.String(manifest), ImageDigest: aws.String(manifestDigest(manifest))})
			if err != nil {
				return fmt.Errorf("push image %s:%s: %w", repoName(r), tag(i), err)
			}
		}
		return nil
	})
	if err != nil {
		return Seeded{}, err
	}
	out.Images = time.Since(start) - out.Setup
	perFamily := max(size.Revisions/max(size.Families, 1), 1)
	// One worker per family at a time: the emulator numbers revisions by counting a family's registrations.
	err = run(ctx, size.Families, func(f int) error {
		for k := range perFamily {
			calls.Add(1)
			if err := e.register(ctx, size, f, k); err != nil {
				return err
			}
		}
		return nil
	})
	out.Calls, out.Duration = int(calls.Load()), time.Since(start)
	out.Revisions = out.Duration - out.Setup - out.Images
	return out, err
}

// AddRevisions registers one new revision in each of the first n families (a sweep then finds n new revisions).
func (e *Env) AddRevisions(ctx context.Context, size Size, n int) error {
	return run(ctx, n, func(i int) error { return e.register(ctx, size, i%max(size.Families, 1), 1000+i) })
}

func (e *Env) register(ctx context.Context, size Size, family, k int) error {
	perRepo := max(size.Images/max(size.Repositories, 1), 1)
	r := family % max(size.Repositories, 1)
	i := k % perRepo
	image := Account + ".dkr.ecr." + Region + ".amazonaws.com/" + repoName(r)
	if k%5 == 4 {
		image += "@" + manifestDigest(imageManifest(r, i))
	} else {
		image += ":" + tag(i)
	}
	fam := fmt.Sprintf("svc-%04d", family)
	_, err := e.ecs().RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family:                  aws.String(fam),
		TaskRoleArn:             aws.String("arn:aws:iam::" + Account + ":role/" + fam + "-task"),
		ExecutionRoleArn:        aws.String("arn:aws:iam::" + Account + ":role/" + fam + "-execution"),
		NetworkMode:             ecstypes.NetworkModeAwsvpc,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		Cpu:                     aws.String("256"),
		Memory:                  aws.String("512"),
		RuntimePlatform:         &ecstypes.RuntimePlatform{OperatingSystemFamily: ecstypes.OSFamilyLinux, CpuArchitecture: ecstypes.CPUArchitectureArm64},
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name:                   aws.String("app"),
			Image:                  aws.String(image),
			Essential:              aws.Bool(true),
			User:                   aws.String("1000:1000"),
			ReadonlyRootFilesystem: aws.Bool(family%100 != 99),
			Privileged:             aws.Bool(false),
			Cpu:                    256,
			Memory:                 aws.Int32(512),
			PortMappings:           []ecstypes.PortMapping{{ContainerPort: aws.Int32(8080), Protocol: ecstypes.TransportProtocolTcp}},
			LinuxParameters: &ecstypes.LinuxParameters{
				Capabilities:       &ecstypes.KernelCapabilities{Drop: []string{"ALL"}},
				InitProcessEnabled: aws.Bool(true),
			},
			Environment: []ecstypes.KeyValuePair{{Name: aws.String("LOG_LEVEL"), Value: aws.String("info")}},
			LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: map[string]string{
				"awslogs-group": "/ecs/" + fam, "awslogs-region": Region, "awslogs-stream-prefix": "app", "mode": "non-blocking",
			}},
		}},
	})
	if err != nil {
		return fmt.Errorf("register %s: %w", fam, err)
	}
	return nil
}

const lifecyclePolicy = `{"rules":[{"rulePriority":1,"description":"expire untagged images","selection":` +
	`{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}`

func repoName(r int) string { return fmt.Sprintf("repo-%04d", r) }
func tag(i int) string      { return fmt.Sprintf("v%d", i+1) }

func imageManifest(r, i int) string {
	layer := sha256.Sum256([]byte(fmt.Sprintf("layer %d/%d", r, i)))
	return `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",` +
		`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1469,"digest":"sha256:` +
		"b5d6fe0712636ceb7430189de28819e195e8966372edfc2d9409d79402a0dc16" + `"},` +
		`"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":3370706,"digest":"sha256:` +
		hex.EncodeToString(layer[:]) + `"}]}`
}

func manifestDigest(m string) string {
	sum := sha256.Sum256([]byte(m))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// run calls f(0..n-1) on seedWorkers goroutines and returns the first error.
func run(ctx context.Context, n int, f func(i int) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	next := make(chan int)
	for range min(seedWorkers, max(n, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		mu.Lock()
		failed := len(errs) > 0
		mu.Unlock()
		if failed {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if len(errs) > 0 {
		return errs[0]
	}
	return ctx.Err()
}

// TempDir makes a directory for a benchmark's logs.
func TempDir() (string, error) {
	dir, err := os.MkdirTemp("", "ecsaudit-bench-")
	if err != nil {
		return "", errors.New("make a temporary directory: " + err.Error())
	}
	return dir, nil
}
