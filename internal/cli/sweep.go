package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/report"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/source"
	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/sweep"
	"github.com/ecsaudit/ecsaudit/internal/version"
)

// sweepCmd audits a live account and region the way the Sweeper function does, with the default AWS credentials,
// and writes the report like scan. Nothing is kept between runs, so every revision in scope is described.
func sweepCmd(args []string, io IO) int {
	fl := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fl.SetOutput(io.Stderr)
	region := fl.String("region", "", "AWS region to sweep (default: the region of the AWS configuration)")
	profile := fl.String("profile", "", "named profile of the shared AWS configuration (default: the default credential chain)")
	mode := fl.String("mode", sweep.ModeLatest, "revisions to audit: latest (the latest ACTIVE revision of each family) or all (every ACTIVE revision)")
	format := fl.String("format", "text", "output format: "+strings.Join(report.Formats(), ", "))
	failOn := fl.String("fail-on", "LOW", "exit 1 when a FAILED finding is at or above this severity (INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL)")
	configPath := fl.String("config", "", "configuration file (JSON): rule overrides, settings, suppressions")
	onlyFailed := fl.Bool("only-failed", false, "show only FAILED findings")
	paceShare := fl.Float64("pace-share", 0.5, "share of the account's ECS rate (20 calls per second) the sweep may use, from 0.05 to 1")
	accounts := fl.String("accounts", "", "comma-separated other account IDs to sweep through a role in each")
	roleName := fl.String("role-name", sweep.DefaultMemberRole, "role to assume in each of --accounts")
	externalID := fl.String("external-id", "", "external ID the member role's trust policy requires, if any")
	verbose := fl.Bool("verbose", false, "log the sweep's progress on stderr")
	fl.Usage = func() {
		fmt.Fprintln(io.Stderr, "Usage: ecsaudit sweep --region REGION [flags]")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitError
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(io.Stderr, "ecsaudit: "+format+"\n", a...)
		return ExitError
	}
	if fl.NArg() > 0 {
		return bad("sweep: unexpected argument %q (the sweep reads the account, not files)", fl.Arg(0))
	}
	if *mode != sweep.ModeLatest && *mode != sweep.ModeAll {
		return bad("--mode: want latest or all, got %q", *mode)
	}
	if *paceShare < 0.05 || *paceShare > 1 {
		return bad("--pace-share: want a number from 0.05 to 1, got %v", *paceShare)
	}
	w, ok := report.Writers[*format]
	if !ok {
		return bad("--format: unknown format %q (want one of %s)", *format, strings.Join(report.Formats(), ", "))
	}
	threshold, err := rule.ParseSeverity(*failOn)
	if err != nil {
		return bad("--fail-on: %v", err)
	}
	cat := catalog.Default()
	cfg := config.Default()
	if *configPath != "" {
		data, err := os.ReadFile(*configPath)
		if err != nil {
			return bad("--config: %v", err)
		}
		if cfg, err = config.Parse(*configPath, data, func(id string) bool { return cat.Lookup(id) != nil }); err != nil {
			return bad("%v", err)
		}
	}

	ctx := context.Background()
	var opts []func(*awsconfig.LoadOptions) error
	if *region != "" {
		opts = append(opts, awsconfig.WithRegion(*region))
	}
	if *profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(*profile))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return bad("AWS configuration: %v", err)
	}
	if awsCfg.Region == "" {
		return bad("sweep: no region: give --region or set one in the AWS configuration")
	}
	id, err := sts.NewFromConfig(awsCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return bad("AWS credentials: %v", err)
	}
	account := aws.ToString(id.Account)
	if _, isASFF := w.(report.ASFF); isASFF {
		w = report.ASFF{Account: account, Region: awsCfg.Region}
	}

	collected := &collector{}
	targets := []sweep.Target{{Account: account, Region: awsCfg.Region, Partition: model.PartitionOf(awsCfg.Region),
		Source: source.ForAccount(awsCfg, account), Sink: collected}}
	if *accounts != "" {
		members := sweep.Members{Accounts: strings.Split(*accounts, ","), RoleName: *roleName, ExternalID: *externalID, Base: awsCfg,
			Sink: func(string, aws.Config) (sweep.Sink, error) { return collected, nil }}
		more, err := members.Targets()
		if err != nil {
			return bad("--accounts: %v", err)
		}
		targets = append(targets, more...)
	}
	logLevel := slog.LevelWarn
	if *verbose {
		logLevel = slog.LevelInfo
	}
	sw := &sweep.Sweeper{
		Engine:  engine.New(cat, cfg),
		Store:   state.NewMemorySweeps(),
		Log:     slog.New(slog.NewTextHandler(io.Stderr, &slog.HandlerOptions{Level: logLevel})),
		Options: sweep.Options{Mode: *mode, PaceShare: *paceShare, Version: version.String()},
	}
	now := time.Now().UTC()
	sw.Now = func() time.Time { return now }
	res, sweepErr := sw.Run(ctx, targets)
	rep := &report.Report{
		Findings:   reported(collected.findings, cfg),
		Resources:  collected.resources,
		Catalog:    cat,
		Now:        now,
		Version:    version.String(),
		OnlyFailed: *onlyFailed,
		Color:      io.Terminal && os.Getenv("NO_COLOR") == "",
	}
	if err := w.Write(io.Stdout, rep); err != nil {
		return bad("write report: %v", err)
	}
	for _, u := range res.Unavailable {
		fmt.Fprintf(io.Stderr, "ecsaudit: %s: NOT_AVAILABLE, could not be described: %s\n", u.ID, u.Reason)
	}
	if sweepErr != nil {
		return bad("sweep incomplete: %v", sweepErr)
	}
	if len(res.Unavailable) > 0 {
		fmt.Fprintf(io.Stderr, "ecsaudit: %d revision(s) could not be read; the report covers the others\n", len(res.Unavailable))
		return ExitError
	}
	if max := report.MaxFailedSeverity(alerting(rep.Findings, cfg)); max != "" && max.AtLeast(threshold) {
		return ExitFindings
	}
	return ExitOK
}

// collector is the CLI's sweep sink: it keeps every result for the report. It keeps no finding state, so the sweep
// hands it every evaluation.
type collector struct {
	findings  []engine.Finding
	resources int
}

// Publish implements sweep.Sink.
func (c *collector) Publish(_ context.Context, b engine.Batch) error {
	for _, ev := range b.Evaluated {
		c.resources++
		c.findings = append(c.findings, ev.Findings...)
	}
	return nil
}
