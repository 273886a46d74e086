package asff

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/model"
)

// A task definition finding names the services that run its revision as AwsEcsService resources, grades its
// criticality by their exposure in FindingProviderFields, and says why in ProductFields.
func TestRunningContext(t *testing.T) {
	const p = "arn:aws:ecs:eu-west-1:111122223333:"
	params := Params{UpdatedAt: now, Version: "test"}
	tests := []struct {
		name        string
		running     *model.Running
		services    []string
		criticality int32 // -1: absent
		field       string
	}{
		{name: "not read", criticality: -1},
		{name: "incomplete and empty", running: &model.Running{}, criticality: -1},
		{name: "nothing runs", running: &model.Running{Complete: true}, criticality: CriticalityNothingRuns, field: model.NothingRuns},
		{name: "private", running: &model.Running{Runners: []model.Runner{
			{Service: p + "service/prod/worker", Cluster: p + "cluster/prod"},
			{Service: p + "service/prod/api", TaskSet: p + "task-set/prod/api/ecs-svc/1", Cluster: p + "cluster/prod"},
			{Service: p + "service/prod/api", Cluster: p + "cluster/prod"},
		}}, services: []string{p + "service/prod/api", p + "service/prod/worker"}, criticality: CriticalityPrivate,
			field: "runs in service worker of cluster prod; task set ecs-svc/1 of service api of cluster prod; service api of cluster prod"},
		{name: "public", running: &model.Running{Runners: []model.Runner{{Service: p + "service/prod/web", Cluster: p + "cluster/prod", Public: true}}},
			services: []string{p + "service/prod/web"}, criticality: CriticalityPublic, field: "with a public IP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := load.NewSet(load.Options{Strict: true})
			if err := s.Add("task.json", []byte(taskJSON)); err != nil {
				t.Fatal(err)
			}
			s.Link()
			s.Tasks[0].Running = tt.running
			fs := engine.New(catalog.Default(), nil).Evaluate(s.Resources(), now)
			out := build(t, find(t, fs, "task.privileged-container", "app"), params)
			if aws.ToString(out.Resources[0].Type) != "AwsEcsTaskDefinition" {
				t.Fatalf("first resource %s, want the task definition", aws.ToString(out.Resources[0].Type))
			}
			var got []string
			for _, r := range out.Resources[1:] {
				if aws.ToString(r.Type) != "AwsEcsService" || aws.ToString(r.Region) != "eu-west-1" || r.Partition != "aws" {
					t.Errorf("running resource %s %s %s", aws.ToString(r.Type), aws.ToString(r.Region), r.Partition)
				}
				got = append(got, aws.ToString(r.Id))
			}
			if strings.Join(got, " ") != strings.Join(tt.services, " ") {
				t.Errorf("service resources %v, want %v", got, tt.services)
			}
			c := out.FindingProviderFields.Criticality
			switch {
			case tt.criticality < 0 && c != nil:
				t.Errorf("criticality %d, want none", *c)
			case tt.criticality >= 0 && (c == nil || *c != tt.criticality):
				t.Errorf("criticality %v, want %d", c, tt.criticality)
			}
			if out.Criticality != nil {
				t.Errorf("top-level Criticality set: Security Hub keeps it as first imported")
			}
			field, ok := out.ProductFields[FieldRunningContext]
			if ok != (tt.field != "") || !strings.Contains(field, tt.field) {
				t.Errorf("%s = %q (set %v), want %q", FieldRunningContext, field, ok, tt.field)
			}
			data, err := Marshal([]types.AwsSecurityFinding{out})
			if err != nil {
				t.Fatal(err)
			}
			checkMarshal(t, data)
		})
	}
}
