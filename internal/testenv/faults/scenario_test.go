package faults_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/publish"
	"github.com/ecsaudit/ecsaudit/internal/testenv/demo"
	"github.com/ecsaudit/ecsaudit/internal/testenv/emulator"
	"github.com/ecsaudit/ecsaudit/internal/testenv/faults"
)

var (
	scenarioRevisions = flag.Int("faults.revisions", 100, "task definition revisions the fault scenario seeds (make test-faults: 1000)")
	scenarioSeed      = flag.Uint64("faults.seed", 20260601, "seed of the fault scenario's random faults")
	scenarioRate      = flag.Float64("faults.rate", 0.2, "share of requests that fail in the fault scenario")
	scenarioLog       = flag.String("faults.log", "", "file the fault scenario writes its fault log to (JSON lines)")
)

// stateTable is the demo's state table (demo.StartWith creates it).
const stateTable = "ecsaudit-state"

// scenarioExtra runs the sweep over every ACTIVE revision, so that it audits all of the seeded ones.
var scenarioExtra = map[string]string{"REVISION_MODE": "all"}

// planted are the secret values the seeded task definitions carry, by where they are planted.
type planted map[string]string

func plant(seed uint64) planted {
	tag := strconv.FormatUint(seed, 36)
	return planted{
		"environment variable":  "leak-env-value-" + tag,
		"secret reference":      "arn:aws:secretsmanager:us-east-1:111122223333:secret:leak-secret-ref-" + tag,
		"repository credential": "arn:aws:secretsmanager:us-east-1:111122223333:secret:leak-repo-cred-" + tag,
		"docker label":          "leak-label-value-" + tag,
		"command argument":      "--token=leak-command-arg-" + tag,
	}
}

// fleetRevision is one seeded revision: a well-configured service (like the demo's web) that still keeps Linux
// capabilities (one LOW finding each). Families 0 and 1 run the demo's ECR image (looked up, and vulnerable once
// scanned: a HIGH finding, notified); the others a public image pinned by digest (no lookup). Family 0 carries a
// secret in each place a task definition can hold one (a HIGH finding for the environment variable, notified by its
// name).
func fleetRevision(family, n int, s planted) *ecs.RegisterTaskDefinitionInput {
	image := "public.ecr.aws/docker/library/nginx@sha256:" + strings.Repeat("ab", 32)
	if family < 2 {
		image = "111122223333.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2"
	}
	c := ecstypes.ContainerDefinition{
		Name: aws.String("app"), Image: aws.String(image), Cpu: 256, Memory: aws.Int32(512), Essential: aws.Bool(true),
		ReadonlyRootFilesystem: aws.Bool(true), User: aws.String("1000"),
		LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: map[string]string{
			"awslogs-group": "/ecs/fleet", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app"}},
		Environment: []ecstypes.KeyValuePair{{Name: aws.String("BUILD"), Value: aws.String(strconv.Itoa(n))}},
	}
	if family == 0 {
		c.Environment = append(c.Environment, ecstypes.KeyValuePair{Name: aws.String("API_TOKEN"), Value: aws.String(s["environment variable"])})
		c.Secrets = []ecstypes.Secret{{Name: aws.String("DB_PASSWORD"), ValueFrom: aws.String(s["secret reference"])}}
		c.RepositoryCredentials = &ecstypes.RepositoryCredentials{CredentialsParameter: aws.String(s["repository credential"])}
		c.DockerLabels = map[string]string{"com.example.deploy-key": s["docker label"]}
		c.Command = []string{"serve", s["command argument"]}
	}
	return &ecs.RegisterTaskDefinitionInput{
		Family:                  aws.String(fmt.Sprintf("fleet-%02d", family)),
		TaskRoleArn:             aws.String("arn:aws:iam::111122223333:role/fleet-task"),
		ExecutionRoleArn:        aws.String("arn:aws:iam::111122223333:role/ecsTaskExecutionRole"),
		NetworkMode:             ecstypes.NetworkModeAwsvpc,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		Cpu:                     aws.String("256"),
		Memory:                  aws.String("512"),
		ContainerDefinitions:    []ecstypes.ContainerDefinition{c},
	}
}

// seedRevisions registers n revisions in a few families straight with the emulator (not through the shim or the
// proxy: they predate the auditor). Each family is registered by one worker, in order, so that revision numbers
// are the same in every run.
func seedRevisions(ctx context.Context, e *demo.Env, n int, s planted) error {
	families := 4
	if n >= 500 {
		families = 10
	}
	client := ecs.NewFromConfig(emulator.Config(e.Server.URL, demo.Region))
	const workers = 4
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				if f := i % families; f%workers == w {
					if _, err := client.RegisterTaskDefinition(ctx, fleetRevision(f, i, s)); err != nil {
						errs[w] = fmt.Errorf("seed revision %d: %w", i, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// plantedIntact checks that the emulator returns every planted secret in the first seeded revision, so that the
// functions did receive them.
func plantedIntact(ctx context.Context, e *demo.Env, s planted) error {
	out, err := ecs.NewFromConfig(emulator.Config(e.Server.URL, demo.Region)).DescribeTaskDefinition(ctx,
		&ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("fleet-00:1")})
	if err != nil {
		return err
	}
	data, err := json.Marshal(out.TaskDefinition)
	if err != nil {
		return err
	}
	for kind, value := range s {
		if !strings.Contains(string(data), value) {
			return fmt.Errorf("the %s is missing from fleet-00:1", kind)
		}
	}
	return nil
}

// findingState is what the comparison looks at: timestamps and workflow aside.
type findingState struct {
	Compliance, RecordState, Severity, Resource string
}

// outcome is what one run left behind.
type outcome struct {
	name  string
	env   *demo.Env
	proxy *faults.Proxy
	// findings are Security Hub's findings by Id.
	findings map[string]findingState
	// notified counts, per finding Id, the distinct messages that announced it. A message re-sent after a failure is
	// the same notification: messages are told apart by their notificationId.
	notified               map[string]int
	messages, distinctMsgs int
	redeliveries           int
	deadLetters            []string
	places                 map[string]string
	elapsed                time.Duration
	// timings lists how long the set-up, the seeding and each step took.
	timings []string
}

// runScenario starts an environment behind a proxy with opts, seeds n revisions, replays the demo's events (a
// sweep included) with Lambda's retries, and collects what it left in Security Hub, SNS, the state table, the
// logs and on the wire.
func runScenario(ctx context.Context, name string, opts faults.Options, n int, s planted) (*outcome, error) {
	began := time.Now()
	opts.Capture = true
	e, p, err := startBehind(ctx, scenarioExtra, func(e *demo.Env) *faults.Proxy { return faults.New(e.Shim, opts) })
	if err != nil {
		return nil, err
	}
	o := &outcome{name: name, env: e, proxy: p}
	lap := began
	timing := func(what string) {
		o.timings = append(o.timings, fmt.Sprintf("%s %v", what, time.Since(lap).Round(100*time.Millisecond)))
		lap = time.Now()
	}
	timing("start")
	if err := seedRevisions(ctx, e, n, s); err != nil {
		return o, err
	}
	timing("seed")
	e.Shim.Capture(true)
	for _, step := range demo.Steps() {
		if err := step.Apply(ctx, e); err != nil {
			return o, fmt.Errorf("apply %s: %w", step.Event, err)
		}
		raw, err := event(step.Event)
		if err != nil {
			return o, err
		}
		retries, err := deliver(ctx, e.Funcs[step.Function], raw)
		o.redeliveries += retries
		if err != nil {
			o.deadLetters = append(o.deadLetters, step.Event+": "+err.Error())
		}
		timing(strings.TrimSuffix(step.Event, ".json"))
	}
	if err := o.collect(ctx); err != nil {
		return o, err
	}
	timing("collect")
	o.elapsed = time.Since(began)
	return o, nil
}

func (o *outcome) collect(ctx context.Context) error {
	e := o.env
	fs, err := e.Findings(ctx)
	if err != nil {
		return err
	}
	o.findings = map[string]findingState{}
	for _, f := range fs {
		st := findingState{RecordState: string(f.RecordState)}
		if f.Compliance != nil {
			st.Compliance = string(f.Compliance.Status)
		}
		if f.Severity != nil {
			st.Severity = string(f.Severity.Label)
		}
		if len(f.Resources) > 0 {
			st.Resource = aws.ToString(f.Resources[0].Id)
		}
		o.findings[aws.ToString(f.Id)] = st
	}
	findingsJSON, err := json.Marshal(fs)
	if err != nil {
		return err
	}
	ns, err := e.Notifications(ctx)
	if err != nil {
		return err
	}
	o.notified = map[string]int{}
	distinct := map[string]bool{}
	var notified strings.Builder
	for _, n := range ns {
		notified.WriteString(n[0] + "\n" + n[1] + "\n")
		var doc publish.Document
		if err := json.Unmarshal([]byte(n[1]), &doc); err != nil {
			return fmt.Errorf("notification %q: %w", n[0], err)
		}
		var ids []string
		for _, f := range doc.Findings {
			ids = append(ids, f.ID)
		}
		// The notification id names the message: a message sent again after a failure carries the same one.
		key := doc.NotificationID
		if key == "" {
			return fmt.Errorf("notification %q carries no notificationId", n[0])
		}
		o.messages++
		if distinct[key] {
			continue
		}
		distinct[key] = true
		for _, id := range ids {
			o.notified[id]++
		}
	}
	o.distinctMsgs = len(distinct)
	stored, err := scanState(ctx, e)
	if err != nil {
		return err
	}
	logs, err := os.ReadFile(e.LogPath())
	if err != nil {
		return err
	}
	var sent strings.Builder
	for _, r := range e.Shim.Requests() {
		sent.Write(r.Body)
		sent.WriteByte('\n')
	}
	for _, b := range o.proxy.Bodies() {
		sent.Write(b.Data)
		sent.WriteByte('\n')
	}
	o.places = map[string]string{
		"sent to AWS": sent.String(), "stored in the state table": stored, "logged": string(logs),
		"notified": notified.String(), "in a Security Hub finding": string(findingsJSON),
	}
	return nil
}

// scanState reads every item of the state table as text.
func scanState(ctx context.Context, e *demo.Env) (string, error) {
	var b strings.Builder
	p := dynamodb.NewScanPaginator(dynamodb.NewFromConfig(e.Config), &dynamodb.ScanInput{TableName: aws.String(stateTable)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("scan the state table: %w", err)
		}
		for _, item := range page.Items {
			writeItem(&b, item)
			b.WriteByte('\n')
		}
	}
	return b.String(), nil
}

func writeItem(b *strings.Builder, item map[string]ddbtypes.AttributeValue) {
	for k, v := range item {
		b.WriteString(k + "=")
		writeValue(b, v)
		b.WriteByte(' ')
	}
}

func writeValue(b *strings.Builder, v ddbtypes.AttributeValue) {
	switch v := v.(type) {
	case *ddbtypes.AttributeValueMemberS:
		b.WriteString(v.Value)
	case *ddbtypes.AttributeValueMemberN:
		b.WriteString(v.Value)
	case *ddbtypes.AttributeValueMemberB:
		b.Write(v.Value)
	case *ddbtypes.AttributeValueMemberSS:
		b.WriteString(strings.Join(v.Value, ","))
	case *ddbtypes.AttributeValueMemberNS:
		b.WriteString(strings.Join(v.Value, ","))
	case *ddbtypes.AttributeValueMemberBS:
		for _, x := range v.Value {
			b.Write(x)
			b.WriteByte(',')
		}
	case *ddbtypes.AttributeValueMemberM:
		b.WriteByte('{')
		writeItem(b, v.Value)
		b.WriteByte('}')
	case *ddbtypes.AttributeValueMemberL:
		for _, x := range v.Value {
			writeValue(b, x)
			b.WriteByte(',')
		}
	case *ddbtypes.AttributeValueMemberBOOL:
		b.WriteString(strconv.FormatBool(v.Value))
	}
}

// leaks lists every planted value found in a place, as "kind in place": the seeded revisions' and the credential
// the demo plants in legacy-worker's environment.
func (o *outcome) leaks(s planted) []string {
	values := map[string]string{"demo's environment variable": o.env.Secret}
	for kind, value := range s {
		values[kind] = value
	}
	var out []string
	for kind, value := range values {
		for place, text := range o.places {
			if strings.Contains(text, value) {
				out = append(out, kind+" "+place)
			}
		}
	}
	sort.Strings(out)
	return out
}

// comparison is how a run with faults differs from one without. expected counts the findings and announced findings
// of the run without faults, less those the proxy's log shows NOT_AVAILABLE (a read failed after every retry); got
// counts those of the run with faults; missing counts expected ones absent or in another state; duplicates counts
// findings announced in more than one distinct message, and findings or announcements nobody expected.
type comparison struct {
	expected, got, missing, duplicates int
	// explained counts differences the proxy's log accounts for: a read that failed after every retry (the result
	// was NOT_AVAILABLE, which is never published over nothing).
	explained int
	details   []string
}

func compare(ctx context.Context, base, run *outcome) comparison {
	var c comparison
	c.expected = len(base.findings) + len(base.notified)
	c.got = len(run.findings) + len(run.notified)
	unrecovered := unrecoveredReads(run.proxy.Faults())
	explain := func(id, resource string) bool {
		if len(unrecovered) == 0 {
			return false
		}
		for _, ev := range evidence(ctx, run.env, resource) {
			for _, f := range unrecovered {
				if strings.Contains(string(f.Body), ev) {
					c.details = append(c.details, fmt.Sprintf("explained: %s on %s by an unrecovered %s (seq %d)", id, resource, f.API, f.Seq))
					return true
				}
			}
		}
		return false
	}
	ids := map[string]bool{}
	for id := range base.findings {
		ids[id] = true
	}
	for id := range run.findings {
		ids[id] = true
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	for _, id := range sorted {
		want, inBase := base.findings[id]
		got, inRun := run.findings[id]
		if inBase && inRun && want == got {
			continue
		}
		resource := want.Resource
		if !inBase {
			resource = got.Resource
		}
		switch {
		case explain(id, resource):
			// NOT_AVAILABLE where the log shows it: the run with faults is expected to lack what the baseline has.
			c.explained++
			if !inRun {
				c.expected--
			} else if !inBase {
				c.expected++
			}
		case !inRun:
			c.missing++
			c.details = append(c.details, fmt.Sprintf("missing finding %s (%+v)", id, want))
		case !inBase:
			c.duplicates++
			c.details = append(c.details, fmt.Sprintf("unexpected finding %s (%+v)", id, got))
		default:
			c.missing++
			c.details = append(c.details, fmt.Sprintf("finding %s: %+v, want %+v", id, got, want))
		}
	}
	for id := range base.notified {
		if run.notified[id] == 0 {
			if explain(id, base.findings[id].Resource) {
				c.explained++
				c.expected--
				continue
			}
			c.missing++
			c.details = append(c.details, "notification of "+id+" missing")
		}
	}
	for id, n := range run.notified {
		switch {
		case n > 1:
			c.duplicates += n - 1
			c.details = append(c.details, fmt.Sprintf("%s notified in %d distinct messages", id, n))
		case base.notified[id] == 0:
			if explain(id, run.findings[id].Resource) {
				c.explained++
				c.expected++
				continue
			}
			c.duplicates++
			c.details = append(c.details, "unexpected notification of "+id)
		}
	}
	return c
}

// unrecoveredReads keeps the failing faults of read calls that no retry got through: where a result may be
// NOT_AVAILABLE.
func unrecoveredReads(fs []faults.Fault) []faults.Fault {
	var out []faults.Fault
	for _, f := range fs {
		_, op, _ := strings.Cut(f.API, ":")
		if f.Kind.Failing() && !f.Recovered && faults.ReadOnly(op) {
			out = append(out, f)
		}
	}
	return out
}

// evidence returns what a read about a resource carries in its request: a revision's family:revision and the
// repositories of its images, a repository's name, an image's repository and digest.
func evidence(ctx context.Context, e *demo.Env, resource string) []string {
	_, rest, ok := strings.Cut(resource, ":ecr:")
	switch {
	case strings.Contains(resource, ":task-definition/"):
		rev := resource[strings.LastIndex(resource, "/")+1:]
		out := []string{rev + `"`}
		td, err := ecs.NewFromConfig(emulator.Config(e.Server.URL, demo.Region)).DescribeTaskDefinition(ctx,
			&ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(resource)})
		if err == nil {
			for _, c := range td.TaskDefinition.ContainerDefinitions {
				if ref := model.ParseImageRef(aws.ToString(c.Image)); ref.Repository != "" {
					out = append(out, `"`+ref.Repository+`"`)
				}
			}
		}
		return out
	case ok && strings.Contains(rest, ":repository/"):
		path := rest[strings.Index(rest, ":repository/")+len(":repository/"):]
		name, digest, _ := strings.Cut(path, "/")
		out := []string{`"` + name + `"`}
		if digest != "" {
			out = append(out, digest)
		}
		return out
	case ok && strings.Contains(rest, ":registry/"):
		return []string{"{}"}
	}
	return nil
}

// TestFaultScenario runs the demo's events and a sweep over seeded revisions twice, side by side: once through a
// proxy that injects nothing, once through one that fails 20 % of requests (HTTP 500 and 503, connection resets),
// throttles above a rate and slows some answers. Both must end with the same Security Hub findings (Id, compliance,
// record state, severity) and the same distinct SNS notifications, except where the proxy's log shows a read that
// failed after every retry; and no planted secret may appear in anything sent, stored, logged or notified.
// `make test-faults` runs it over 1,000 revisions and prints the summary line last.
func TestFaultScenario(t *testing.T) {
	n := *scenarioRevisions
	if testing.Short() {
		n = min(n, 20)
	}
	ctx := context.Background()
	attempts, from, err := deployedAttempts()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d revisions, %.0f %% faults, seed %d; the functions' SDK clients make %d attempts per call (%s)",
		n, 100**scenarioRate, *scenarioSeed, attempts, from)
	secrets := plant(*scenarioSeed)
	withFaults := faults.Options{
		Seed: *scenarioSeed, Rate: *scenarioRate, SlowRate: 0.05, SlowDelay: 150 * time.Millisecond,
		// Below the functions' own pacing, so that throttling happens: the sweep paces ECS at 10 calls per second
		// (burst 25), the publisher Security Hub at 10 per second (burst 30). DynamoDB is left unlimited, as an
		// on-demand table does not throttle at these rates.
		Limits: map[string]faults.Limit{"ecs": {Rate: 8, Burst: 10}, "securityhub": {Rate: 5, Burst: 10}},
	}
	var base, run *outcome
	var baseErr, runErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		base, baseErr = runScenario(ctx, "without faults", faults.Options{}, n, secrets)
	}()
	go func() { defer wg.Done(); run, runErr = runScenario(ctx, "with faults", withFaults, n, secrets) }()
	wg.Wait()
	for _, o := range []*outcome{base, run} {
		if o != nil && o.env != nil {
			defer o.env.Stop()
		}
	}
	if baseErr != nil || runErr != nil {
		t.Fatalf("scenario: %v", errors.Join(baseErr, runErr))
	}
	if *scenarioLog != "" {
		f, err := os.Create(*scenarioLog)
		if err != nil {
			t.Fatal(err)
		}
		if err := run.proxy.WriteLog(f); err != nil {
			t.Error(err)
		}
		f.Close()
	}

	st := run.proxy.Stats()
	for _, o := range []*outcome{base, run} {
		t.Logf("%s: %d requests in %v; %d findings, %d notification messages (%d distinct, %d findings announced); "+
			"%d Lambda retries; dead letters %q", o.name, o.proxy.Stats().Requests, o.elapsed.Round(time.Second),
			len(o.findings), o.messages, o.distinctMsgs, len(o.notified), o.redeliveries, o.deadLetters)
		t.Logf("%s: %s", o.name, strings.Join(o.timings, ", "))
	}
	t.Logf("faults: %d injected (%v), %d failing; %d recovered by the SDK's retries, %d by any retry, %d failed after "+
		"every retry; %d retried requests", st.Injected, st.ByKind, st.Failing, st.SDKRecovered, st.Recovered,
		st.FailedAfterRetries, st.Retries)
	t.Logf("failing faults per API: %s", strings.Join(faults.ByAPI(run.proxy.Faults()), " "))

	// The baseline is the reference: it must be clean, and must have audited what the scenario is about.
	if bs := base.proxy.Stats(); bs.Injected != 0 || len(base.deadLetters) != 0 || base.redeliveries != 0 {
		t.Fatalf("the run without faults is not clean: %+v, dead letters %v", bs, base.deadLetters)
	}
	if got := base.proxy.Calls("Sweeper")["ecs:DescribeTaskDefinition"]; got < n {
		t.Fatalf("the sweep described %d revisions, want at least the %d seeded", got, n)
	}
	if len(base.notified) == 0 || !strings.Contains(base.places["notified"], "API_TOKEN") {
		t.Fatalf("the seeded secret variable was not notified by name: the leak scan would look at nothing")
	}
	if !strings.Contains(base.places["stored in the state table"], "fleet-") || !strings.Contains(base.places["sent to AWS"], "fleet-") ||
		!strings.Contains(base.places["in a Security Hub finding"], "API_TOKEN") {
		t.Fatalf("nothing about the seeded revisions was stored, sent or published: the leak scan would look at nothing")
	}
	if err := plantedIntact(ctx, base.env, secrets); err != nil {
		t.Fatalf("the emulator does not hand the planted secrets to the functions, so the leak scan proves nothing: %v", err)
	}
	if st.Failing == 0 || st.SDKRecovered == 0 || st.ByKind[faults.Throttle] == 0 {
		t.Errorf("the fault run met no failing fault, recovered none or was never throttled: %+v", st)
	}

	c := compare(ctx, base, run)
	for i, d := range c.details {
		if i == 40 {
			t.Logf("... %d more", len(c.details)-i)
			break
		}
		t.Log(d)
	}
	var leaked []string
	for _, o := range []*outcome{base, run} {
		for _, l := range o.leaks(secrets) {
			leaked = append(leaked, o.name+": "+l)
		}
	}
	for _, l := range leaked {
		t.Errorf("planted secret leaked: %s", l)
	}
	if c.missing != 0 || c.duplicates != 0 {
		t.Errorf("the fault run differs from the run without faults: %d missing, %d duplicated (details above)", c.missing, c.duplicates)
	}
	if len(run.deadLetters) > 0 {
		t.Errorf("events dead-lettered after Lambda's retries: %q", run.deadLetters)
	}
	t.Logf("%d differences explained by reads that failed after every retry (NOT_AVAILABLE)", c.explained)
	fmt.Printf("faults: injected=%d retries=%d expected=%d got=%d missing=%d duplicates=%d leaked_secrets=%d\n",
		st.Injected, st.Retries, c.expected, c.got, c.missing, c.duplicates, len(leaked))
}
