// Package lambdafn wires one Lambda function: configuration from the environment, AWS clients, the audit service,
// JSON logs and metrics. functions/<name>/main.go only calls Main.
package lambdafn

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ecsaudit/ecsaudit/internal/audit"
	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/cli"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/fnconfig"
	"github.com/ecsaudit/ecsaudit/internal/imageuse"
	"github.com/ecsaudit/ecsaudit/internal/metrics"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/notify"
	"github.com/ecsaudit/ecsaudit/internal/publish"
	"github.com/ecsaudit/ecsaudit/internal/source"
	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/sweep"
)

// Function is a configured function, ready to handle events.
type Function struct {
	Service *audit.Service
	Metrics *metrics.Recorder
	Log     *slog.Logger
	out     io.Writer
}

// Main starts a function under the Lambda runtime. A configuration error stops it before the first event, with
// a message naming the bad variable (Lambda then reports an init error and retries nothing).
func Main(name string) {
	ctx := context.Background()
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("function", name)
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		log.Error("cannot load AWS configuration", "error", err.Error())
		os.Exit(1)
	}
	fn, err := Setup(ctx, name, os.Getenv, cfg, os.Stdout)
	if err != nil {
		log.Error("cannot start", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(fn)
}

// Setup builds a function from its environment and an AWS configuration (which may point at an emulator).
func Setup(ctx context.Context, name string, getenv func(string) string, cfg aws.Config, out io.Writer) (*Function, error) {
	cat := catalog.Default()
	getenv, err := configFromParameter(ctx, getenv, ssm.NewFromConfig(cfg))
	if err != nil {
		return nil, err
	}
	fc, err := fnconfig.FromEnv(getenv, func(id string) bool { return cat.Lookup(id) != nil })
	if err != nil {
		return nil, err
	}
	rec := metrics.New(name)
	log := slog.New(countBusy(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: fc.LogLevel}), rec)).With("function", name)
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("get caller identity: %w", err)
	}
	account, region := aws.ToString(id.Account), cfg.Region
	if region == "" {
		return nil, fmt.Errorf("environment variable AWS_REGION: required")
	}
	partition := model.PartitionOf(region)
	ddb := dynamodb.NewFromConfig(cfg)
	store := state.New(ddb, fc.StateTable)
	eng := engine.New(cat, fc.Audit)
	pubOpts := publish.Options{
		Account: account, Region: region, Partition: partition, Version: cli.Version,
		ReportPasses: fc.ReportPasses, Lookup: cat.Lookup,
	}
	pub := publish.New(securityhub.NewFromConfig(cfg), store, pubOpts)
	sink := &audit.HubSink{Publisher: pub, State: store, Log: log, Account: account, Region: region}
	if fc.TopicARN != "" {
		opts := notify.Options{TopicARN: fc.TopicARN, Threshold: fc.NotifyThreshold, Partition: partition}
		sink.Notifier = notify.New(sns.NewFromConfig(cfg), store, opts)
		if fc.Baseline {
			opts.Baseline = true
			sink.Baseline = notify.New(sns.NewFromConfig(cfg), store, opts)
		}
	}
	ecrClient := ecr.NewFromConfig(cfg)
	src := source.New(account, region, ecs.NewFromConfig(cfg), ecrClient, kms.NewFromConfig(cfg))
	src.ECRIn = func(r string) source.ECRAPI {
		return ecr.NewFromConfig(cfg, func(o *ecr.Options) { o.Region = r })
	}
	sc, err := fnconfig.SweepFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	svc := &audit.Service{
		Source: src, Engine: eng, Index: &imageuse.Index{DB: ddb, Table: fc.StateTable},
		Sink: sink, Metrics: rec, Log: log, Now: time.Now, RevisionMode: fc.RevisionMode, MinSeverity: fc.SeverityThreshold,
		Trail: cloudtrail.NewFromConfig(cfg),
	}
	svc.SweepConfig = sweepConfig(svc, sc, fc, cfg, account, pubOpts)
	return &Function{
		Service: svc,
		Metrics: rec,
		Log:     log,
		out:     out,
	}, nil
}

// sweepConfig is the scheduled sweep's configuration: the sweep options from the environment, the continuation
// (the function invoking itself) when SWEEP_SELF_CONTINUE allows it, and the member accounts.
func sweepConfig(svc *audit.Service, sc *fnconfig.Sweep, fc *fnconfig.Function, cfg aws.Config, account string, pub publish.Options) *audit.SweepConfig {
	out := &audit.SweepConfig{Options: sweep.Options{
		Mode: fc.RevisionMode, MaxAge: sc.MaxAge, PaceShare: sc.PaceShare, Concurrency: sc.Concurrency,
		Version: cli.Version, ReportPasses: fc.ReportPasses,
	}}
	if sc.SelfContinue && sc.FunctionName != "" {
		out.Continue = &sweep.LambdaContinuer{Config: cfg, Function: sc.FunctionName, Account: account}
	}
	if len(sc.MemberAccounts) > 0 {
		out.Members = &sweep.Members{
			Accounts: sc.MemberAccounts, RoleName: sc.MemberRole, ExternalID: sc.MemberExternalID, Base: cfg,
			Sink: svc.MemberSink(pub),
		}
	}
	return out
}

// Invoke implements lambda.Handler on the raw payload, so that even a payload that is not JSON reaches the service
// (which logs and acknowledges it) instead of failing in the runtime's decoder, which Lambda would retry.
func (f *Function) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if err := f.Handle(ctx, payload); err != nil {
		return nil, err
	}
	return []byte("null"), nil
}

// Handle handles one event: a malformed field is the service's to judge (and acknowledge), not a decoding failure
// that Lambda would retry forever.
func (f *Function) Handle(ctx context.Context, raw json.RawMessage) error {
	err := f.Service.Handle(ctx, raw)
	if ferr := f.Metrics.Flush(f.out, time.Now()); ferr != nil {
		f.Log.Warn("metrics not written", "error", ferr.Error())
	}
	return err
}
