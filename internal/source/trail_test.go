package source

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ecsaudit/ecsaudit/internal/testenv/awstest"
)

func TestTrailLogging(t *testing.T) {
	srv := awstest.Emulator(t)
	ctx := context.Background()
	cfg := awstest.Config(srv.URL, "us-east-1")
	ct := cloudtrail.NewFromConfig(cfg)
	if ok, err := TrailLogging(ctx, ct); err != nil || ok {
		t.Fatalf("no trail: got %v %v", ok, err)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail-logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("trail-logs")}); err != nil {
		t.Fatal(err)
	}
	if ok, err := TrailLogging(ctx, ct); err != nil || ok {
		t.Fatalf("a trail that is not logging: got %v %v", ok, err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("management")}); err != nil {
		t.Fatal(err)
	}
	if ok, err := TrailLogging(ctx, ct); err != nil || !ok {
		t.Fatalf("a logging trail: got %v %v", ok, err)
	}
}
