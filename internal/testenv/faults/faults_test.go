package faults

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// backend stands in for the emulator: it answers every request with a minimal success in the request's protocol
// and counts what reached it per operation.
type backend struct {
	mu    sync.Mutex
	calls map[string]int
}

func (b *backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	service, op := Operation(r, body)
	b.mu.Lock()
	if b.calls == nil {
		b.calls = map[string]int{}
	}
	b.calls[service+":"+op]++
	b.mu.Unlock()
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
		_, _ = io.WriteString(w, "{}")
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		w.Header().Set("Content-Type", "text/xml")
		_, _ = io.WriteString(w, "<"+op+"Response><"+op+"Result><MessageId>m-1</MessageId><Account>111122223333</Account></"+op+"Result></"+op+"Response>")
	default:
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "{}")
	}
}

func (b *backend) count(api string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls[api]
}

// fixture is a proxy in front of a backend, served over HTTP so that resets are real TCP resets.
func fixture(t *testing.T, opts Options) (*Proxy, *backend, aws.Config) {
	t.Helper()
	b := &backend{}
	p := New(b, opts)
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(srv.URL),
	}
	return p, b, cfg
}

// fast keeps the SDK's standard retryer and its three attempts, without the backoff, so tests do not wait.
func fast(cfg aws.Config) aws.Config {
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	}
	return cfg
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Each service's throttling answer is one its SDK client reads as that service's own throttling error, and retries:
// a single throttle is invisible to the caller, a persistent one fails after the SDK's three attempts.
func TestThrottlingShapesAreReadAndRetriedByTheSDK(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, api, wantCode string
		call                func(cfg aws.Config) error
	}{
		{"ecs", "ecs:DescribeTaskDefinition", "ThrottlingException", func(cfg aws.Config) error {
			_, err := ecs.NewFromConfig(cfg).DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web:7")})
			return err
		}},
		{"ecr", "ecr:DescribeImages", "ThrottlingException", func(cfg aws.Config) error {
			_, err := ecr.NewFromConfig(cfg).DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("web")})
			return err
		}},
		{"dynamodb", "dynamodb:GetItem", "ProvisionedThroughputExceededException", func(cfg aws.Config) error {
			_, err := dynamodb.NewFromConfig(cfg).GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t"),
				Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "a"}}})
			return err
		}},
		{"securityhub", "securityhub:DescribeHub", "LimitExceededException", func(cfg aws.Config) error {
			_, err := securityhub.NewFromConfig(cfg).DescribeHub(ctx, &securityhub.DescribeHubInput{})
			return err
		}},
		{"sns", "sns:Publish", "ThrottlingException", func(cfg aws.Config) error {
			_, err := sns.NewFromConfig(cfg).Publish(ctx, &sns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:111122223333:t"), Message: aws.String("m")})
			return err
		}},
		{"kms", "kms:DescribeKey", "ThrottlingException", func(cfg aws.Config) error {
			_, err := kms.NewFromConfig(cfg).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/ecr")})
			return err
		}},
		{"cloudtrail", "cloudtrail:DescribeTrails", "ThrottlingException", func(cfg aws.Config) error {
			_, err := cloudtrail.NewFromConfig(cfg).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
			return err
		}},
		{"sts", "sts:GetCallerIdentity", "Throttling", func(cfg aws.Config) error {
			_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, b, cfg := fixture(t, Options{})
			cfg = fast(cfg)
			p.Plan(c.api, "", Throttle, 1)
			if err := c.call(cfg); err != nil {
				t.Fatalf("one throttle should be retried away, got %v", err)
			}
			if got := b.count(c.api); got != 1 {
				t.Errorf("the backend saw %d calls, want 1 (a throttled call is never forwarded)", got)
			}
			st := p.Stats()
			if st.Injected != 1 || st.SDKRecovered != 1 || st.Retries != 1 || st.FailedAfterRetries != 0 {
				t.Errorf("stats %+v, want one fault recovered by the SDK's retry", st)
			}

			p.Plan(c.api, "", Throttle, -1)
			err := c.call(cfg)
			if got := code(err); got != c.wantCode {
				t.Fatalf("persistent throttling: error code %q (%v), want %q", got, err, c.wantCode)
			}
			fs := p.Faults()[1:]
			if len(fs) != 3 {
				t.Fatalf("%d faults after the first, want the SDK's 3 attempts", len(fs))
			}
			for i, f := range fs {
				if f.Attempt != i+1 || f.MaxAttempts != 3 || f.SDKRecovered || f.Recovered || f.Invocation != fs[0].Invocation {
					t.Errorf("fault %d: %+v, want attempt %d of 3 of one unrecovered SDK call", i, f, i+1)
				}
			}
		})
	}
}

// A connection reset or a 5xx meets a write before it is forwarded (the backend never applies what its caller was
// told failed); a read is forwarded and its answer lost.
func TestWritesFailBeforeForwardingReadsAfter(t *testing.T) {
	ctx := context.Background()
	for _, kind := range []Kind{Reset, ServerError, Unavailable} {
		t.Run(string(kind), func(t *testing.T) {
			p, b, cfg := fixture(t, Options{})
			cfg = fast(cfg)
			client := ecs.NewFromConfig(cfg)
			p.Plan("ecs:RegisterTaskDefinition", "", kind, -1)
			p.Plan("ecs:DescribeTaskDefinition", "", kind, -1)
			_, werr := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"),
				ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginx")}}})
			_, rerr := client.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web:1")})
			if werr == nil || rerr == nil {
				t.Fatalf("persistent %s: want errors, got %v and %v", kind, werr, rerr)
			}
			if kind == Reset && !strings.Contains(werr.Error(), "connection reset") && !strings.Contains(werr.Error(), "EOF") {
				t.Errorf("reset surfaced as %v", werr)
			}
			if n := b.count("ecs:RegisterTaskDefinition"); n != 0 {
				t.Errorf("the backend applied %d writes that failed", n)
			}
			if n := b.count("ecs:DescribeTaskDefinition"); n != 3 {
				t.Errorf("the backend saw %d reads, want the SDK's 3 attempts forwarded", n)
			}
			for _, f := range p.Faults() {
				if f.Forwarded != (f.API == "ecs:DescribeTaskDefinition") {
					t.Errorf("%s: forwarded=%v", f.API, f.Forwarded)
				}
			}
		})
	}
}

// A notification met by a connection reset was sent before the connection dropped: the SDK's retry sends it again,
// as when SNS published and its answer was lost. Other faults meet it before it is sent.
func TestNotificationResetAfterSending(t *testing.T) {
	ctx := context.Background()
	p, b, cfg := fixture(t, Options{})
	client := sns.NewFromConfig(fast(cfg))
	publish := func() error {
		_, err := client.Publish(ctx, &sns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:111122223333:t"), Message: aws.String("m")})
		return err
	}
	p.Plan("sns:Publish", "", Reset, 1)
	if err := publish(); err != nil {
		t.Fatalf("one reset, then a retry: %v", err)
	}
	if n := b.count("sns:Publish"); n != 2 {
		t.Errorf("the backend received %d messages, want 2 (the reset one was sent)", n)
	}
	p.Plan("sns:Publish", "", ServerError, 1)
	if err := publish(); err != nil {
		t.Fatal(err)
	}
	if n := b.count("sns:Publish"); n != 3 {
		t.Errorf("the backend received %d messages, want 3 (an HTTP 500 meets the message before it is sent)", n)
	}
	var forwarded []bool
	for _, f := range p.Faults() {
		forwarded = append(forwarded, f.Forwarded)
	}
	if len(forwarded) != 2 || !forwarded[0] || forwarded[1] {
		t.Errorf("faults forwarded %v, want [true false]", forwarded)
	}
}

// A caller's own retry loop (the SDK's turned off, as the sweep's paced calls do) recovers the call: the log says the
// SDK did not, and the call did.
func TestRecoveryAcrossSDKCalls(t *testing.T) {
	ctx := context.Background()
	p, _, cfg := fixture(t, Options{})
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	client := ecs.NewFromConfig(cfg)
	p.Plan("ecs:DescribeTaskDefinition", "web:1", Unavailable, 1)
	in := &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web:1")}
	if _, err := client.DescribeTaskDefinition(ctx, in); err == nil {
		t.Fatal("the planned 503 did not fail the call")
	}
	if _, err := client.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web:2")}); err != nil {
		t.Fatal(err)
	}
	if f := p.Faults(); len(f) != 1 || f[0].Recovered || f[0].SDKRecovered {
		t.Fatalf("before the retry: %+v, want one unrecovered fault", f)
	}
	if st := p.Stats(); st.FailedAfterRetries != 1 {
		t.Errorf("stats %+v, want one call failed after all retries", st)
	}
	if _, err := client.DescribeTaskDefinition(ctx, in); err != nil {
		t.Fatal(err)
	}
	f := p.Faults()[0]
	if !f.Recovered || f.SDKRecovered || f.MaxAttempts != 1 {
		t.Errorf("after the caller's retry: %+v, want recovered, not by the SDK", f)
	}
	if st := p.Stats(); st.Retries != 1 || st.FailedAfterRetries != 0 {
		t.Errorf("stats %+v, want one retry and nothing left failed", st)
	}
}

// The rate limit is a token bucket per service: a burst passes, the next call is throttled, time refills it.
func TestRateLimitIsATokenBucketPerService(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	p, b, cfg := fixture(t, Options{Limits: map[string]Limit{"ecs": {Rate: 2, Burst: 3}}, Now: clock})
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	ctx := context.Background()
	describe := func() error {
		_, err := ecs.NewFromConfig(cfg).DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web:1")})
		return err
	}
	for i := 0; i < 3; i++ {
		if err := describe(); err != nil {
			t.Fatalf("call %d within the burst: %v", i+1, err)
		}
	}
	if err := describe(); code(err) != "ThrottlingException" {
		t.Fatalf("call over the burst: %v, want ThrottlingException", err)
	}
	if _, err := kms.NewFromConfig(cfg).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("k")}); err != nil {
		t.Errorf("another service shares the ECS bucket: %v", err)
	}
	now = now.Add(500 * time.Millisecond) // one token at 2 per second
	if err := describe(); err != nil {
		t.Fatalf("after the refill: %v", err)
	}
	if err := describe(); code(err) != "ThrottlingException" {
		t.Fatalf("the refill gave more than one token: %v", err)
	}
	if b.count("ecs:DescribeTaskDefinition") != 4 {
		t.Errorf("the backend saw %d calls, want the 4 that passed", b.count("ecs:DescribeTaskDefinition"))
	}
	p.SetEnabled(false)
	if err := describe(); err != nil {
		t.Errorf("a disabled proxy throttled: %v", err)
	}
}

// The random faults come at the configured rate, depend only on the seed and the requests, and a slow answer
// still answers.
func TestSeededFaults(t *testing.T) {
	ctx := context.Background()
	run := func(seed uint64) []Fault {
		p, _, cfg := fixture(t, Options{Seed: seed, Rate: 0.2, SlowRate: 0.05, SlowDelay: time.Millisecond})
		cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
		client := ecs.NewFromConfig(cfg)
		for i := 0; i < 300; i++ {
			_, _ = client.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("fam:" + strconv.Itoa(i))})
		}
		return p.Faults()
	}
	a, b, c := run(1), run(1), run(2)
	sig := func(fs []Fault) string {
		var s []string
		for _, f := range fs {
			s = append(s, strconv.Itoa(f.Seq)+string(f.Kind))
		}
		return strings.Join(s, ",")
	}
	if sig(a) != sig(b) {
		t.Error("the same seed gave different faults")
	}
	if sig(a) == sig(c) {
		t.Error("another seed gave the same faults")
	}
	kinds := map[Kind]int{}
	for _, f := range a {
		kinds[f.Kind]++
	}
	failing := kinds[ServerError] + kinds[Unavailable] + kinds[Reset]
	if failing < 35 || failing > 85 {
		t.Errorf("%d failing faults in 300 requests at 20 %%", failing)
	}
	if kinds[ServerError] == 0 || kinds[Unavailable] == 0 || kinds[Reset] == 0 || kinds[Slow] == 0 {
		t.Errorf("fault kinds %v: every kind should occur", kinds)
	}
}

// Operation names calls the way IAM does, for every protocol the functions' clients speak.
func TestOperationNamesEveryProtocol(t *testing.T) {
	ctx := context.Background()
	p, _, cfg := fixture(t, Options{})
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	h := p.Handler("fn")
	srv := httptest.NewServer(h)
	defer srv.Close()
	cfg.BaseEndpoint = aws.String(srv.URL)
	_, _ = ecs.NewFromConfig(cfg).ListTaskDefinitionFamilies(ctx, &ecs.ListTaskDefinitionFamiliesInput{})
	_, _ = dynamodb.NewFromConfig(cfg).Query(ctx, &dynamodb.QueryInput{TableName: aws.String("t")})
	_, _ = securityhub.NewFromConfig(cfg).BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: []shtypes.AwsSecurityFinding{}})
	_, _ = securityhub.NewFromConfig(cfg).BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
		FindingIdentifiers: []shtypes.AwsSecurityFindingIdentifier{{Id: aws.String("f"), ProductArn: aws.String("p")}}})
	_, _ = sns.NewFromConfig(cfg).Publish(ctx, &sns.PublishInput{Message: aws.String("m")})
	_, _ = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	_, _ = ecr.NewFromConfig(cfg).GetRegistryScanningConfiguration(ctx, &ecr.GetRegistryScanningConfigurationInput{})
	got := p.Calls("fn")
	for _, api := range []string{"ecs:ListTaskDefinitionFamilies", "dynamodb:Query", "securityhub:BatchImportFindings",
		"securityhub:BatchUpdateFindings", "sns:Publish", "sts:GetCallerIdentity", "ecr:GetRegistryScanningConfiguration"} {
		if got[api] != 1 {
			t.Errorf("%s counted %d times (all counts %v)", api, got[api], got)
		}
	}
	if len(got) != 7 {
		t.Errorf("counts %v, want 7 APIs", got)
	}
	for op, want := range map[string]bool{"DescribeTaskDefinition": true, "BatchGetItem": true, "Query": true, "Scan": true,
		"PutItem": false, "BatchWriteItem": false, "Publish": false, "BatchImportFindings": false, "UpdateItem": false} {
		if ReadOnly(op) != want {
			t.Errorf("ReadOnly(%s) = %v", op, !want)
		}
	}
}
