// Command cfn-hook is the Lambda function behind the CloudFormation Lambda hook: it evaluates a task definition's or
// an ECR repository's properties before CloudFormation creates or updates it, and answers SUCCESS or FAILED.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/hook"
	"github.com/ecsaudit/ecsaudit/internal/lambdafn"
)

func main() {
	ctx := context.Background()
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("function", "CfnHook")
	fail := func(msg string, err error) {
		log.Error(msg, "error", err.Error())
		os.Exit(1)
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		fail("cannot load AWS configuration", err)
	}
	audit, err := lambdafn.AuditConfig(ctx, os.Getenv, cfg)
	if err != nil {
		fail("cannot read the audit configuration", err)
	}
	block, err := hook.BlockFromEnv(os.Getenv)
	if err != nil {
		fail("cannot start", err)
	}
	h := &hook.Hook{Engine: engine.New(catalog.Default(), audit), Block: block, Now: time.Now, Log: log, Region: cfg.Region}
	lambda.Start(h.Handle)
}
