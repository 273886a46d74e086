package publish

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/testenv/awstest"
	"github.com/ecsaudit/ecsaudit/internal/testenv/emulator"
)

func TestMain(m *testing.M) {
	code := m.Run()
	awstest.Stop()
	os.Exit(code)
}

const (
	testAccount = "123456789012"
	testRegion  = "us-east-1"
	testTable   = "ecsaudit-state"
	testProduct = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"
)

var start = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeClock is the publisher's clock and sleep: sleeping advances it.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	c.t = c.t.Add(d)
	return ctx.Err()
}

// Test rules: small, predictable, and quoting what they see like the real ones do.
var (
	privilegedRule = &rule.Rule[*model.TaskDefinition]{
		Meta: rule.Meta{
			ID: "test.privileged", Title: "Container runs privileged", Severity: rule.High,
			Description:    "A privileged container has every capability of the host's root user.",
			Remediation:    "Remove privileged: true from the container definition.",
			RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
			Level:          rule.ContainerLevel, ResourceType: rule.TypeTaskDefinition, SecurityControlID: "ECS.4",
		},
		Check: func(t *model.TaskDefinition, _ *rule.Env) []rule.Result {
			var out []rule.Result
			for i, c := range t.Def.ContainerDefinitions {
				st := rule.Passed
				if aws.ToBool(c.Privileged) {
					st = rule.Failed
				}
				out = append(out, rule.Result{Container: t.ContainerName(i), Status: st,
					Detail: fmt.Sprintf("container %q (image %s) privileged=%v", t.ContainerName(i), aws.ToString(c.Image), aws.ToBool(c.Privileged))})
			}
			return out
		},
	}
	scanRule = &rule.Rule[*model.TaskDefinition]{
		Meta: rule.Meta{
			ID: "test.image-scan", Title: "Image has critical vulnerabilities", Severity: rule.Critical,
			Description: "Known vulnerabilities let attackers in.", Remediation: "Rebuild the image on a patched base.",
			Level: rule.TaskLevel, ResourceType: rule.TypeTaskDefinition,
		},
		// The "scan" tag plays the scan result: failed, unknown (not readable) or ok; absent means not applicable.
		Check: func(t *model.TaskDefinition, _ *rule.Env) []rule.Result {
			switch t.Tags["scan"] {
			case "failed":
				return []rule.Result{{Status: rule.Failed, Detail: "2 CRITICAL findings"}}
			case "unknown":
				return []rule.Result{{Status: rule.NotAvailable, Detail: "scan findings could not be read"}}
			case "ok":
				return []rule.Result{{Status: rule.Passed}}
			}
			return []rule.Result{{Status: rule.NotApplicable}}
		},
	}
	testCatalog = engine.NewCatalog(privilegedRule, scanRule)
)

type container struct {
	name       string
	privileged bool
}

// taskDef builds a task definition revision whose containers carry a planted secret everywhere ECS allows one.
func taskDef(family string, revision int, tags map[string]string, cs ...container) *model.TaskDefinition {
	arn := fmt.Sprintf("arn:aws:ecs:%s:%s:task-definition/%s:%d", testRegion, testAccount, family, revision)
	td := &model.TaskDefinition{
		Ref: model.Ref{ARN: arn, Partition: "aws", Account: testAccount, Region: testRegion, Tags: tags, Source: "test"},
		Def: ecstypes.TaskDefinition{
			TaskDefinitionArn: aws.String(arn), Family: aws.String(family), Revision: int32(revision),
		},
	}
	for _, c := range cs {
		td.Def.ContainerDefinitions = append(td.Def.ContainerDefinitions, ecstypes.ContainerDefinition{
			Name: aws.String(c.name), Image: aws.String("nginx:1.27"), Privileged: aws.Bool(c.privileged),
			Environment: []ecstypes.KeyValuePair{{Name: aws.String("DB_PASSWORD"), Value: aws.String(plantedSecret)}},
		})
	}
	return td
}

const plantedSecret = "PLANTED-s3cr3t-Value-7f9c"

type env struct {
	t     *testing.T
	shim  *emulator.Shim
	hub   *securityhub.Client
	db    *dynamodb.Client
	store *state.Store
	clock *fakeClock
	eng   *engine.Engine
}

// newEnv starts from an empty emulator behind a fresh shim, with the state table created and Security Hub enabled
// when enable is set.
func newEnv(t *testing.T, enable bool) *env { return newEnvVia(t, enable, nil) }

// newEnvVia is newEnv with the clients' requests passing through wrap (a fault injector) before the shim.
func newEnvVia(t *testing.T, enable bool, wrap func(http.Handler) http.Handler) *env {
	t.Helper()
	srv := awstest.Emulator(t)
	shim, err := emulator.NewShim(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = shim
	if wrap != nil {
		h = wrap(shim)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	cfg := awstest.Config(ts.URL, testRegion)
	e := &env{
		t: t, shim: shim, hub: securityhub.NewFromConfig(cfg), db: dynamodb.NewFromConfig(cfg),
		clock: &fakeClock{t: start}, eng: engine.New(testCatalog, nil),
	}
	ctx := context.Background()
	if err := state.CreateTable(ctx, e.db, testTable); err != nil {
		t.Fatal(err)
	}
	e.store = state.New(e.db, testTable)
	if enable {
		if _, err := e.hub.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *env) publisher(opts Options) *Publisher {
	opts.Account, opts.Region, opts.Version = testAccount, testRegion, "test"
	opts.Now, opts.Sleep = e.clock.Now, e.clock.Sleep
	opts.Lookup = testCatalog.Lookup
	return New(e.hub, e.store, opts)
}

// evaluate runs the test rules over task definitions at the current fake time.
func (e *env) evaluate(tds ...*model.TaskDefinition) []engine.Evaluated {
	var out []engine.Evaluated
	for _, td := range tds {
		out = append(out, engine.Evaluated{ResourceID: td.ID(), Resource: td, Findings: e.eng.EvaluateOne(td, e.clock.Now())})
	}
	return out
}

// publish runs one invocation with a new publisher and fails the test on error.
func (e *env) publish(tds ...*model.TaskDefinition) Outcome {
	e.t.Helper()
	out, err := e.publisher(Options{}).Publish(context.Background(), e.evaluate(tds...))
	if err != nil {
		e.t.Fatalf("publish: %v", err)
	}
	return out
}

// findings reads back every finding Security Hub holds.
func (e *env) findings() map[string]types.AwsSecurityFinding {
	e.t.Helper()
	out := map[string]types.AwsSecurityFinding{}
	p := securityhub.NewGetFindingsPaginator(e.hub, &securityhub.GetFindingsInput{MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			e.t.Fatalf("get findings: %v", err)
		}
		for _, f := range page.Findings {
			out[aws.ToString(f.Id)] = f
		}
	}
	return out
}

func (e *env) record(id string) *state.Record {
	e.t.Helper()
	recs, err := e.store.Get(context.Background(), []string{id})
	if err != nil {
		e.t.Fatal(err)
	}
	return recs[id]
}

func (e *env) imports() int { return e.shim.Calls("securityhub:BatchImportFindings") }

func findingID(td *model.TaskDefinition, ruleID, container string) string {
	return engine.FindingID(ruleID, td.ID(), container)
}

// summary is the part of a Security Hub finding the lifecycle decides.
type summary struct {
	Compliance, RecordState, Workflow, CreatedAt, UpdatedAt string
}

func summarize(f types.AwsSecurityFinding) summary {
	s := summary{RecordState: string(f.RecordState), CreatedAt: aws.ToString(f.CreatedAt), UpdatedAt: aws.ToString(f.UpdatedAt)}
	if f.Compliance != nil {
		s.Compliance = string(f.Compliance.Status)
	}
	if f.Workflow != nil {
		s.Workflow = string(f.Workflow.Status)
	}
	return s
}

func ts(t time.Time) string { return state.FormatTime(t) }
