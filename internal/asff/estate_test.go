package asff

import (
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsaudit/ecsaudit/internal/load"
)

func readFixture(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEstateResources builds the findings of each new kind from an AWS CLI describe output and checks the
// resource type, ID and the details Security Hub documents for it.
func TestEstateResources(t *testing.T) {
	const fx = "../rules/ecs/testdata/"
	p := Params{Account: "111122223333", Region: "us-east-1", Partition: "aws", UpdatedAt: now, Version: "test"}

	fs := evaluate(t, load.Options{}, readFixture(t, fx+"service.public-ip/fail_assign_public_ip.json"))
	svc := build(t, find(t, fs, "service.public-ip", ""), p)
	r := svc.Resources[0]
	if aws.ToString(r.Type) != "AwsEcsService" || aws.ToString(r.Id) != "arn:aws:ecs:us-east-1:111122223333:service/prod/web" {
		t.Fatalf("service resource %s %s", aws.ToString(r.Type), aws.ToString(r.Id))
	}
	d := r.Details.AwsEcsService
	if d == nil || aws.ToString(d.NetworkConfiguration.AwsVpcConfiguration.AssignPublicIp) != "ENABLED" ||
		aws.ToString(d.ServiceName) != "web" || aws.ToString(d.Cluster) != "arn:aws:ecs:us-east-1:111122223333:cluster/prod" {
		t.Fatalf("service details %+v", d)
	}
	if svc.Compliance == nil || aws.ToString(svc.Compliance.SecurityControlId) != "ECS.2" {
		t.Errorf("compliance %+v, want control ECS.2", svc.Compliance)
	}

	fs = evaluate(t, load.Options{}, readFixture(t, fx+"cluster.exec-logging-disabled/fail_none.json"))
	cl := build(t, find(t, fs, "cluster.exec-logging-disabled", ""), p).Resources[0]
	cd := cl.Details.AwsEcsCluster
	if aws.ToString(cl.Type) != "AwsEcsCluster" || cd == nil || cd.Configuration == nil ||
		aws.ToString(cd.Configuration.ExecuteCommandConfiguration.Logging) != "NONE" ||
		len(cd.ClusterSettings) != 1 || aws.ToString(cd.ClusterSettings[0].Value) != "enhanced" {
		t.Fatalf("cluster resource %s %+v", aws.ToString(cl.Type), cd)
	}

	fs = evaluate(t, load.Options{}, readFixture(t, fx+"capacity-provider.no-termination-protection/fail_disabled.json"))
	cp := build(t, find(t, fs, "capacity-provider.no-termination-protection", ""), p).Resources[0]
	if aws.ToString(cp.Type) != "Other" || cp.Details.Other["ManagedTerminationProtection"] != "DISABLED" {
		t.Fatalf("capacity provider resource %s %+v", aws.ToString(cp.Type), cp.Details)
	}

	fs = evaluate(t, load.Options{}, readFixture(t, fx+"host.privileged-allowed/fail_privileged_capability.json"))
	h := build(t, find(t, fs, "host.privileged-allowed", ""), p).Resources[0]
	if aws.ToString(h.Type) != "AwsEc2Instance" || h.Details.Other["Ec2InstanceId"] != "i-0a1b2c3d4e5f67890" {
		t.Fatalf("container instance resource %s %+v", aws.ToString(h.Type), h.Details)
	}

	fs = evaluate(t, load.Options{}, readFixture(t, fx+"taskset.public-ip/fail_assign_public_ip.json"))
	ts := build(t, find(t, fs, "taskset.public-ip", ""), p).Resources[0]
	if aws.ToString(ts.Type) != "Other" || ts.Details.Other["AssignPublicIp"] != "ENABLED" {
		t.Fatalf("task set resource %s %+v", aws.ToString(ts.Type), ts.Details)
	}
}

// TestEstateARNFromName: a service named without an ARN gets one built from the account and region.
func TestEstateARNFromName(t *testing.T) {
	fs := evaluate(t, load.Options{Account: "111122223333", Region: "eu-west-1"}, `{"services":[{"serviceName":"api","enableExecuteCommand":true}]}`)
	f := build(t, find(t, fs, "service.exec-enabled", ""), Params{Account: "111122223333", Region: "eu-west-1", Partition: "aws", UpdatedAt: now})
	if got := aws.ToString(f.Resources[0].Id); got != "arn:aws:ecs:eu-west-1:111122223333:service/api" {
		t.Fatalf("resource ID %q", got)
	}
}
