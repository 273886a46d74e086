// Package lambdafn wires one Lambda function and runs its pipeline: configuration from the environment, AWS clients,
// the Service that takes each event through read (source), evaluate (engine) and publish (publish.Sink), JSON logs
// and metrics. functions/<name>/main.go only calls Main.
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
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/fnconfig"
	"github.com/ecsaudit/ecsaudit/internal/imagefile"
	"github.com/ecsaudit/ecsaudit/internal/metrics"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/publish"
	"github.com/ecsaudit/ecsaudit/internal/source"
	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/sweep"
	"github.com/ecsaudit/ecsaudit/internal/version"
)

// Function is a configured function, ready to handle events.
type Function struct {
	Service *Service
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
		Account: account, Region: region, Partition: partition, Version: version.String(),
		ReportPasses: fc.ReportPasses, Lookup: cat.Lookup,
	}
	pub := publish.New(securityhub.NewFromConfig(cfg), store, pubOpts)
	sink := &publish.Sink{Publisher: pub, State: store, Metrics: rec, Log: log}
	if fc.TopicARN != "" {
		opts := publish.NotifyOptions{TopicARN: fc.TopicARN, Threshold: fc.NotifyThreshold, AlertProfile: fc.Audit.AlertProfile, Partition: partition}
		sink.Notifier = publish.NewNotifier(sns.NewFromConfig(cfg), store, opts)
		if fc.Baseline {
			opts.Baseline = true
			sink.Baseline = publish.NewNotifier(sns.NewFromConfig(cfg), store, opts)
		}
	}
	src := source.ForAccount(cfg, account)
	sc, err := fnconfig.SweepFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	svc := &Service{
		Source: src, Engine: eng, Index: store.Images(),
		Sink: sink, Metrics: rec, Log: log, Now: time.Now, RevisionMode: fc.RevisionMode,
		Trail: cloudtrail.NewFromConfig(cfg),
	}
	sweepConfig(svc, sc, fc, cfg, account, pubOpts)
	cc, err := fnconfig.ContentsFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	if cc.On {
		svc.Contents = &Contents{
			Reader:   &source.Registry{Auth: ecr.NewFromConfig(cfg), Endpoint: cc.Endpoint},
			Options:  imagefile.Options{MaxBytes: cc.MaxBytes, Settings: fc.Audit.Settings},
			Version:  sweep.CatalogVersion(cat, version.String()) + "/" + sweep.ConfigHash(fc.Audit),
			PerSweep: cc.PerSweep,
		}
		svc.SweepOptions.Contents = svc.sweepContents
	}
	return &Function{
		Service: svc,
		Metrics: rec,
		Log:     log,
		out:     out,
	}, nil
}

// sweepConfig configures svc's scheduled sweeps: the sweep options from the environment, the continuation (the
// function invoking itself) when SWEEP_SELF_CONTINUE allows it, and the member accounts.
func sweepConfig(svc *Service, sc *fnconfig.Sweep, fc *fnconfig.Function, cfg aws.Config, account string, pub publish.Options) {
	svc.SweepOptions = sweep.Options{
		Mode: fc.RevisionMode, MaxAge: sc.MaxAge, PaceShare: sc.PaceShare, Concurrency: sc.Concurrency,
		Version: version.String(), ReportPasses: fc.ReportPasses,
	}
	if sc.SelfContinue && sc.FunctionName != "" {
		svc.Continue = &Continuer{Lambda: lambdasdk.NewFromConfig(cfg), Function: sc.FunctionName, Account: account, Region: cfg.Region}
	}
	if len(sc.MemberAccounts) > 0 {
		svc.Members = &sweep.Members{
			Accounts: sc.MemberAccounts, RoleName: sc.MemberRole, ExternalID: sc.MemberExternalID, Base: cfg,
			Sink: memberSink(svc, pub),
		}
	}
}

// memberSink returns, for sweep.Members, the sink of a member account: the Service's sink with a publisher writing
// to that account's Security Hub under the account's assumed role (the only way Security Hub accepts its findings),
// sharing the state table, the notifiers and the metrics. opts are the options of the Service's own publisher;
// Account and Region are replaced by the member's.
func memberSink(svc *Service, opts publish.Options) func(account string, cfg aws.Config) (sweep.Sink, error) {
	return func(account string, cfg aws.Config) (sweep.Sink, error) {
		home := svc.Sink
		o := opts
		o.Account, o.Region = account, cfg.Region
		return &publish.Sink{
			Publisher: publish.New(securityhub.NewFromConfig(cfg), home.State, o),
			Notifier:  home.Notifier, Baseline: home.Baseline, State: home.State, Metrics: home.Metrics,
			Log: home.Log.With("account", account),
		}, nil
	}
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
