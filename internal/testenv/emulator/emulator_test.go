package emulator_test

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/ecsaudit/ecsaudit/internal/testenv/awstest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	awstest.Stop()
	os.Exit(code)
}

func TestEmulatorServesSDKAndResets(t *testing.T) {
	srv := awstest.Emulator(t)
	ctx := context.Background()
	client := ecr.NewFromConfig(awstest.Config(srv.URL, "us-east-1"))
	if _, err := client.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("web")}); err != nil {
		t.Fatalf("create repository: %v", err)
	}
	out, err := client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	if err != nil || len(out.Repositories) != 1 {
		t.Fatalf("describe: %v %v", out, err)
	}
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
	out, err = client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	if err != nil || len(out.Repositories) != 0 {
		t.Fatalf("after reset: %v %v", out, err)
	}
}
