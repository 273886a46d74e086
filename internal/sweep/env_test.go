package sweep_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/metrics"
	"github.com/ecsaudit/ecsaudit/internal/publish"
	"github.com/ecsaudit/ecsaudit/internal/source"
	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/sweep"
	"github.com/ecsaudit/ecsaudit/internal/testenv/awstest"
	"github.com/ecsaudit/ecsaudit/internal/testenv/emulator"
)

func TestMain(m *testing.M) {
	code := m.Run()
	awstest.Stop()
	os.Exit(code)
}

const (
	account = "123456789012" // moto's default account
	region  = "us-east-1"
	table   = "ecsaudit-state"
)

// env is one test's emulator: moto behind the shim (ECS listings paged at 5 entries, so that paging is exercised
// with few revisions) behind the throttle (AWS's rate limits and chosen failures).
type env struct {
	t        *testing.T
	shim     *emulator.Shim
	throttle *emulator.Throttle
	url      string
	cfg      aws.Config
	ddb      *dynamodb.Client
	store    *state.Store
	sink     *hubSink
	now      time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := awstest.Emulator(t)
	shim, err := emulator.NewShim(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	shim.SetPageSize(5)
	th := emulator.NewThrottle(shim)
	hs := httptest.NewServer(th)
	t.Cleanup(hs.Close)
	e := &env{t: t, shim: shim, throttle: th, url: hs.URL, cfg: awstest.Config(hs.URL, region), now: time.Now().UTC()}
	e.cfg.HTTPClient = awshttp.NewBuildableClient()
	ctx := context.Background()
	e.ddb = dynamodb.NewFromConfig(e.cfg)
	if err := state.CreateTable(ctx, e.ddb, table); err != nil {
		t.Fatal(err)
	}
	if _, err := securityhub.NewFromConfig(e.cfg).EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}
	e.store = state.New(e.ddb, table)
	e.sink = e.hub(e.cfg, account)
	return e
}

// hub returns a sink publishing to the Security Hub of cfg's account, sharing the state table.
func (e *env) hub(cfg aws.Config, acct string) *hubSink {
	cat := catalog.Default()
	pub := publish.New(securityhub.NewFromConfig(cfg), e.store, publish.Options{
		Account: acct, Region: region, Partition: "aws", Version: "test", Lookup: cat.Lookup,
	})
	return &hubSink{pub: pub, store: e.store}
}

// hubSink is the Security Hub publisher with the state table, as the Lambda's sink, recording what it was given.
type hubSink struct {
	pub       *publish.Publisher
	store     *state.Store
	published []string
	archived  []string
}

func (h *hubSink) Publish(ctx context.Context, b engine.Batch) error {
	ev, archived := b.Evaluated, b.Archived
	for _, e := range ev {
		h.published = append(h.published, e.ResourceID)
	}
	h.archived = append(h.archived, archived...)
	if len(ev) > 0 {
		if _, err := h.pub.Publish(ctx, ev); err != nil {
			return err
		}
	}
	if len(archived) > 0 {
		if _, err := h.pub.ArchiveResources(ctx, archived); err != nil {
			return err
		}
	}
	return nil
}

func (h *hubSink) OpenResources(ctx context.Context) ([]string, error) {
	return h.store.OpenResources(ctx)
}

// sweeper returns a sweeper on the state table with the test's options; retries wait a few milliseconds only.
func (e *env) sweeper(opts sweep.Options) *sweep.Sweeper {
	if opts.Retry.Base == 0 {
		opts.Retry.Base, opts.Retry.Cap = 5*time.Millisecond, 50*time.Millisecond
	}
	if opts.Version == "" {
		opts.Version = "test"
	}
	return &sweep.Sweeper{
		Engine:  engine.New(catalog.Default(), nil),
		Store:   &state.Sweeps{DB: e.ddb, Table: table},
		Index:   &state.ImageIndex{DB: e.ddb, Table: table},
		Metrics: metrics.New("test"),
		Now:     func() time.Time { return e.now },
		Options: opts,
	}
}

func (e *env) target() sweep.Target {
	return sweep.Target{Account: account, Region: region, Partition: "aws", Source: source.ForAccount(e.cfg, account), Sink: e.sink}
}

// run runs invocations until the sweep is done (at most 100) and returns the last result.
func (e *env) run(sw *sweep.Sweeper, targets ...sweep.Target) sweep.Result {
	e.t.Helper()
	if len(targets) == 0 {
		targets = []sweep.Target{e.target()}
	}
	for range 100 {
		res, err := sw.Run(context.Background(), targets)
		if err != nil {
			e.t.Fatalf("sweep: %v", err)
		}
		if res.Done {
			return res
		}
	}
	e.t.Fatal("the sweep did not finish in 100 invocations")
	return sweep.Result{}
}

func (e *env) describes() int { return e.throttle.Calls("ecs:DescribeTaskDefinition") }

func (e *env) repo(name string, mutable bool) {
	e.t.Helper()
	m := ecrtypes.ImageTagMutabilityImmutable
	if mutable {
		m = ecrtypes.ImageTagMutabilityMutable
	}
	_, err := ecr.NewFromConfig(e.cfg).CreateRepository(context.Background(), &ecr.CreateRepositoryInput{
		RepositoryName: aws.String(name), ImageTagMutability: m,
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: true},
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// push pushes an image with a unique layer (seed) under tag and returns its digest.
func (e *env) push(repo, tag string, seed int) string {
	e.t.Helper()
	m := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",`+
		`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":100,"digest":"sha256:%064x"},`+
		`"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":200,"digest":"sha256:%064x"}]}`, seed, seed+1000)
	out, err := ecr.NewFromConfig(e.cfg).PutImage(context.Background(), &ecr.PutImageInput{RepositoryName: aws.String(repo),
		ImageManifest: aws.String(m), ImageTag: aws.String(tag)})
	if err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(out.Image.ImageId.ImageDigest)
}

func (e *env) scan(repo, digest string) {
	e.t.Helper()
	_, err := ecr.NewFromConfig(e.cfg).StartImageScan(context.Background(), &ecr.StartImageScanInput{RepositoryName: aws.String(repo),
		ImageId: &ecrtypes.ImageIdentifier{ImageDigest: aws.String(digest)}})
	if err != nil {
		e.t.Fatal(err)
	}
}

func image(repo, ref string) string {
	return account + ".dkr.ecr." + region + ".amazonaws.com/" + repo + ref
}

// register registers a revision of family running image; a privileged one fails task.privileged-container (and
// others), a clean one passes every rule that can be judged (it is tagged for task.untagged).
func (e *env) register(family, img string, privileged bool) string {
	e.t.Helper()
	out, err := ecs.NewFromConfig(e.cfg).RegisterTaskDefinition(context.Background(), &ecs.RegisterTaskDefinitionInput{
		Family:                  aws.String(family),
		Tags:                    []ecstypes.Tag{{Key: aws.String("owner"), Value: aws.String("team-" + family)}},
		TaskRoleArn:             aws.String("arn:aws:iam::" + account + ":role/" + family + "-task"),
		ExecutionRoleArn:        aws.String("arn:aws:iam::" + account + ":role/" + family + "-execution"),
		NetworkMode:             ecstypes.NetworkModeAwsvpc,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		Cpu:                     aws.String("256"),
		Memory:                  aws.String("512"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String("app"), Image: aws.String(img), Essential: aws.Bool(true), User: aws.String("1000"),
			ReadonlyRootFilesystem: aws.Bool(!privileged), Privileged: aws.Bool(privileged), Memory: aws.Int32(512),
			LinuxParameters: &ecstypes.LinuxParameters{Capabilities: &ecstypes.KernelCapabilities{Drop: []string{"ALL"}}},
			LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: map[string]string{
				"awslogs-group": "/ecs/" + family, "awslogs-region": region, "awslogs-stream-prefix": "app", "mode": "non-blocking"}},
		}},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

func (e *env) deregister(arn string) {
	e.t.Helper()
	if _, err := ecs.NewFromConfig(e.cfg).DeregisterTaskDefinition(context.Background(), &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(arn)}); err != nil {
		e.t.Fatal(err)
	}
}

// findings returns "RECORDSTATE COMPLIANCE RULE" for each finding record of a resource, sorted.
func (e *env) findings(resourceID string) []string {
	e.t.Helper()
	recs, err := e.store.ByResource(context.Background(), resourceID)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.RecordState+" "+r.Compliance+" "+r.RuleID)
	}
	sort.Strings(out)
	return out
}

func (e *env) records(kind string) map[string]*state.SweepRecord {
	e.t.Helper()
	recs, err := (&state.Sweeps{DB: e.ddb, Table: table}).Records(context.Background(), kind, account, region)
	if err != nil {
		e.t.Fatal(err)
	}
	return recs
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
