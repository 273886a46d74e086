package load

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

func TestDescribeOutputsAloneAndInABundle(t *testing.T) {
	s := NewSet(Options{Strict: true, Account: "111122223333", Region: "eu-west-1"})
	alone := `{"services": [{"serviceName": "web", "serviceArn": "arn:aws:ecs:us-east-1:444455556666:service/prod/web"}], "failures": []}`
	bundle := `{
  "clusters": [{"clusterName": "prod", "settings": [{"name": "containerInsights", "value": "enabled"}]}],
  "capacityProviders": [{"name": "FARGATE"}, {"name": "asg", "autoScalingGroupProvider": {"managedTerminationProtection": "ENABLED"}}],
  "taskSets": [{"id": "ecs-svc/1", "taskSetArn": "arn:aws:ecs:us-east-1:444455556666:task-set/prod/web/ecs-svc/1"}],
  "containerInstances": [{"ec2InstanceId": "i-1", "attributes": [{"name": "ecs.os-type", "value": "linux"}]}]
}`
	if err := s.Add("services.json", []byte(alone)); err != nil {
		t.Fatal(err)
	}
	if err := s.Add("bundle.json", []byte(bundle)); err != nil {
		t.Fatal(err)
	}
	rs := s.Resources()
	var got []string
	for _, r := range rs {
		got = append(got, r.Kind().Name+" "+r.ID()+" "+r.Ident().Account+" "+r.Ident().Region+" "+r.Ident().SourcePath)
	}
	want := []string{
		"service arn:aws:ecs:us-east-1:444455556666:service/prod/web 444455556666 us-east-1 services/0",
		"task set arn:aws:ecs:us-east-1:444455556666:task-set/prod/web/ecs-svc/1 444455556666 us-east-1 taskSets/0",
		"cluster prod 111122223333 eu-west-1 clusters/0",
		"capacity provider FARGATE 111122223333 eu-west-1 capacityProviders/0",
		"capacity provider asg 111122223333 eu-west-1 capacityProviders/1",
		"container instance i-1 111122223333 eu-west-1 containerInstances/0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("resources:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if c := rs[2].(*model.Cluster); !c.SettingsKnown || c.TagsKnown {
		t.Errorf("cluster: settings known %v, tags known %v; want true, false", c.SettingsKnown, c.TagsKnown)
	}
}

func TestDescribeOutputErrors(t *testing.T) {
	for _, tt := range []struct{ name, doc, want string }{
		{"not a list", `{"clusters": {"clusterName": "prod"}}`, `line 1, column 14: "clusters": want a list of clusters`},
		{"wrong type in the second element", "{\"services\": [\n  {\"serviceName\": \"a\"},\n  {\"serviceName\": \"b\", \"desiredCount\": \"two\"}\n]}",
			"services/1: line 3, column 45: desiredCount: want a number"},
		{"no identity", `{"capacityProviders": [{"status": "ACTIVE"}]}`, "capacityProviders/0: a capacity provider with neither ARN nor name"},
		{"unknown field, strict", `{"services": [{"serviceName": "a", "bogus": 1}]}`, `unknown field "bogus"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSet(Options{Strict: true})
			err := s.Add("x.json", []byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "x.json: ") {
				t.Fatalf("error %v, want one naming x.json and %q", err, tt.want)
			}
			if len(s.Resources()) != 0 {
				t.Fatalf("a bad input kept %d resources", len(s.Resources()))
			}
		})
	}
}
