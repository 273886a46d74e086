package lambdafn

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/metrics"
	"github.com/ecsaudit/ecsaudit/internal/publish"
	"github.com/ecsaudit/ecsaudit/internal/source"
	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/sweep"
	"github.com/ecsaudit/ecsaudit/internal/testenv/emulator"
)

// TestSweepActionPublishesInBatchesAndBaselines runs the sweep action of a Service wired as lambdafn wires it, with
// a baseline notifier: the first sweep, published in several batches, announces nothing and records the baseline
// only once done; the next sweep describes nothing; a new failing revision after that is announced.
func TestSweepActionPublishesInBatchesAndBaselines(t *testing.T) {
	ctx := context.Background()
	srv, err := emulator.Start(ctx, filepath.Join(t.TempDir(), "moto.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	shim, err := emulator.NewShim(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(shim)
	t.Cleanup(hs.Close)
	const account, region, table = "123456789012", "us-east-1", "state"
	cfg := emulator.Config(hs.URL, region)
	ddb := dynamodb.NewFromConfig(cfg)
	if err := state.CreateTable(ctx, ddb, table); err != nil {
		t.Fatal(err)
	}
	if _, err := securityhub.NewFromConfig(cfg).EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}
	topic, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("findings")})
	if err != nil {
		t.Fatal(err)
	}
	sq := sqs.NewFromConfig(cfg)
	q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("inbox")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sns.NewFromConfig(cfg).Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(attrs.Attributes["QueueArn"])}); err != nil {
		t.Fatal(err)
	}
	for _, fam := range []string{"a", "b", "c"} {
		_, err := ecs.NewFromConfig(cfg).RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
			Family: aws.String(fam),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx:1.27"),
				Memory: aws.Int32(256), Privileged: aws.Bool(true)}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	cat := catalog.Default()
	store := state.New(ddb, table)
	pub := publish.New(securityhub.NewFromConfig(cfg), store, publish.Options{Account: account, Region: region, Partition: "aws", Lookup: cat.Lookup})
	var logs strings.Builder
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	nopts := publish.NotifyOptions{TopicARN: aws.ToString(topic.TopicArn), Partition: "aws"}
	quiet := nopts
	quiet.Baseline = true
	rec := metrics.New("Sweeper")
	svc := &Service{
		Source: source.ForAccount(cfg, account), Engine: engine.New(cat, nil), Index: &state.ImageIndex{DB: ddb, Table: table},
		Sink: &publish.Sink{Publisher: pub, State: store, Metrics: rec, Log: log,
			Notifier: publish.NewNotifier(sns.NewFromConfig(cfg), store, nopts), Baseline: publish.NewNotifier(sns.NewFromConfig(cfg), store, quiet)},
		Metrics: rec, Log: log, Now: time.Now, RevisionMode: "latest",
	}
	messages := func() []string {
		var out []string
		for {
			m, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Messages) == 0 {
				return out
			}
			for _, msg := range m.Messages {
				var env struct{ Subject string }
				_ = json.Unmarshal([]byte(aws.ToString(msg.Body)), &env)
				out = append(out, env.Subject)
				if _, err := sq.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: msg.ReceiptHandle}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}

	// A first sweep cut into invocations of one chunk of one revision each.
	cfgSweep := sweep.Options{ChunkSize: 1, Budget: time.Nanosecond}
	for i := 0; ; i++ {
		res, err := svc.Sweep(ctx, cfgSweep)
		if err != nil {
			t.Fatal(err)
		}
		done, err := store.BaselineDone(ctx, account, region)
		if err != nil {
			t.Fatal(err)
		}
		if res.Done {
			if !done || res.Total.Described != 3 || res.Invocations < 4 {
				t.Fatalf("first sweep done: baseline recorded %v, %+v in %d invocations", done, res.Total, res.Invocations)
			}
			break
		}
		if done {
			t.Fatalf("invocation %d: the baseline is recorded before the first sweep is done", i+1)
		}
	}
	if got := strings.Count(logs.String(), `"msg":"findings published"`); got < 3 {
		t.Errorf("three chunks of one revision: %d publishes", got)
	}
	if got := messages(); len(got) != 0 {
		t.Errorf("the baseline sweep sent %q", got)
	}
	if svc.Metrics.Get("FindingsHigh") == 0 {
		t.Error("the sweep's findings are counted in the metrics")
	}

	// The sweep action of an event does the same, with the records now trusted: nothing described, nothing sent.
	raw := []byte(`{"version":"0","id":"e1","detail-type":"Scheduled Event","source":"aws.events","account":"` + account +
		`","time":"2026-11-22T12:00:00Z","region":"` + region + `","resources":[],"detail":{}}`)
	before := shim.Calls("ecs:DescribeTaskDefinition")
	if err := svc.Handle(ctx, raw); err != nil {
		t.Fatal(err)
	}
	if got := shim.Calls("ecs:DescribeTaskDefinition") - before; got != 0 {
		t.Errorf("second sweep described %d revisions", got)
	}
	if got := messages(); len(got) != 0 {
		t.Errorf("second sweep notified %q", got)
	}
	if _, err := ecs.NewFromConfig(cfg).RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("d"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx:1.27"),
			Memory: aws.Int32(256), Privileged: aws.Bool(true)}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Sweep(ctx, sweep.Options{}); err != nil {
		t.Fatal(err)
	}
	if got := messages(); len(got) != 1 || !strings.Contains(got[0], "new findings") && !strings.Contains(got[0], "d:1") {
		t.Errorf("after the baseline a new failing revision is announced: %q", got)
	}
}
