package event

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

const (
	account = "111122223333"
	region  = "us-east-1"
	web7    = "arn:aws:ecs:us-east-1:111122223333:task-definition/web:7"
	web6    = "arn:aws:ecs:us-east-1:111122223333:task-definition/web:6"
	webRepo = "arn:aws:ecr:us-east-1:111122223333:repository/web"
	digest  = "sha256:eec5ee479aeeda42d35e90fa1eeebf99ad0876eb5609b46c72e51b0bf41a751f"
	deploy  = "arn:aws:sts::111122223333:assumed-role/DeployRole/deploy-pipeline"
	admin   = "arn:aws:sts::111122223333:assumed-role/SecurityAdmin/alice"
)

// eventsDir holds the samples that sam local invoke uses; corpusEvents the real shapes collected from AWS sources.
var (
	eventsDir    = filepath.Join("..", "..", "events")
	corpusEvents = filepath.Join("..", "..", "testdata", "corpus", "events")
)

// want is the expected part of an action: every sample shares account, region, event ID and time, checked apart.
type want struct {
	Kind                                    Kind
	ARN, Repo, Registry, Digest, Tag, Actor string
	// Res names the resource kind of AuditResource and ArchiveResource actions.
	Res string
}

// estate is an action on a resource of the ECS estate, made by the admin identity the samples share.
func estate(k Kind, res *model.Kind, arn string) want {
	return want{Kind: k, ARN: "arn:aws:ecs:us-east-1:111122223333:" + arn, Actor: admin, Res: res.Name}
}

func repoAction(k Kind, actor string) want {
	return want{Kind: k, ARN: webRepo, Repo: "web", Registry: account, Actor: actor}
}

func imageAction(k Kind) want {
	return want{Kind: k, ARN: webRepo, Repo: "web", Registry: account, Digest: digest, Tag: "1.4.2"}
}

// samples lists every file under events/ and what Parse must make of it.
var samples = map[string][]want{
	"ecs-register-task-definition.json":   {{Kind: AuditTaskDefinition, ARN: web7, Actor: deploy}},
	"ecs-deregister-task-definition.json": {{Kind: ArchiveTaskDefinition, ARN: web7, Actor: deploy}},
	"ecs-delete-task-definitions.json": {
		{Kind: ArchiveTaskDefinition, ARN: web6, Actor: deploy},
		{Kind: ArchiveTaskDefinition, ARN: web7, Actor: deploy},
	},
	"ecs-tag-resource.json":                        {{Kind: ReevaluateTaskDefinition, ARN: web7, Actor: admin}},
	"ecs-untag-resource.json":                      {{Kind: ReevaluateTaskDefinition, ARN: web7, Actor: admin}},
	"ecr-create-repository.json":                   {repoAction(AuditRepository, deploy)},
	"ecr-delete-repository.json":                   {repoAction(ArchiveRepository, admin)},
	"ecr-put-image-tag-mutability.json":            {repoAction(AuditRepository, deploy)},
	"ecr-put-image-scanning-configuration.json":    {repoAction(AuditRepository, deploy)},
	"ecr-put-registry-scanning-configuration.json": {{Kind: AuditRegistry, Registry: account, Actor: admin}},
	"ecr-set-repository-policy.json":               {repoAction(AuditRepository, deploy)},
	"ecr-delete-repository-policy.json":            {repoAction(AuditRepository, deploy)},
	"ecr-put-lifecycle-policy.json":                {repoAction(AuditRepository, deploy)},
	"ecr-delete-lifecycle-policy.json":             {repoAction(AuditRepository, deploy)},
	"ecr-tag-resource.json":                        {repoAction(AuditRepository, admin)},
	"ecr-untag-resource.json":                      {repoAction(AuditRepository, admin)},
	"ecr-image-scan.json":                          {imageAction(AuditImage)},
	"ecr-image-action-push.json":                   {imageAction(AuditImage)},
	"ecr-image-action-push-tools.json": {{Kind: AuditImage, ARN: "arn:aws:ecr:us-east-1:111122223333:repository/tools",
		Repo: "tools", Registry: account, Digest: "sha256:ec18790c7874fb77016dfad7be2ad064f8a55db28012124a24a4fbf2a6fc416f",
		Tag: "debug-2026.11"}},
	"ecr-image-action-delete.json": {imageAction(ArchiveImage)},
	"inspector2-scan.json":         {imageAction(AuditImage)},
	"inspector2-finding.json":      {imageAction(AuditImage)},
	"scheduled-sweep.json":         {{Kind: Sweep}},
	// The ECS estate: each call names its resource where model.Kind.Calls says; deletions archive.
	"ecs-create-service.json":                 {estate(AuditResource, model.KindService, "service/production/web")},
	"ecs-update-service.json":                 {estate(AuditResource, model.KindService, "service/production/web")},
	"ecs-delete-service.json":                 {estate(ArchiveResource, model.KindService, "service/production/web")},
	"ecs-create-task-set.json":                {estate(AuditResource, model.KindTaskSet, taskSet)},
	"ecs-update-task-set.json":                {estate(AuditResource, model.KindTaskSet, taskSet)},
	"ecs-delete-task-set.json":                {estate(ArchiveResource, model.KindTaskSet, taskSet)},
	"ecs-create-cluster.json":                 {estate(AuditResource, model.KindCluster, "cluster/production")},
	"ecs-update-cluster.json":                 {estate(AuditResource, model.KindCluster, "cluster/production")},
	"ecs-update-cluster-settings.json":        {estate(AuditResource, model.KindCluster, "cluster/production")},
	"ecs-put-cluster-capacity-providers.json": {estate(AuditResource, model.KindCluster, "cluster/production")},
	"ecs-delete-cluster.json":                 {estate(ArchiveResource, model.KindCluster, "cluster/production")},
	"ecs-create-capacity-provider.json":       {estate(AuditResource, model.KindCapacityProvider, "capacity-provider/production-asg")},
	"ecs-update-capacity-provider.json":       {estate(AuditResource, model.KindCapacityProvider, "capacity-provider/production-asg")},
	"ecs-delete-capacity-provider.json":       {estate(ArchiveResource, model.KindCapacityProvider, "capacity-provider/production-asg")},
	"ecs-register-container-instance.json":    {estate(AuditResource, model.KindContainerInstance, containerInstance)},
	"ecs-deregister-container-instance.json":  {estate(ArchiveResource, model.KindContainerInstance, containerInstance)},
	"ecs-tag-resource-service.json":           {estate(AuditResource, model.KindService, "service/production/web")},
	"ecs-untag-resource-cluster.json":         {estate(AuditResource, model.KindCluster, "cluster/production")},
	// Events no function is meant to see: the EventBridge patterns keep them out, and Parse ignores them anyway.
	"negative/ecs-run-task.json":                        {{Kind: Ignore, Actor: deploy}},
	"negative/ecs-register-task-definition-failed.json": {{Kind: Ignore, Actor: deploy}},
	"negative/ecr-describe-repositories.json":           {{Kind: Ignore, Actor: deploy}},
	"negative/ecs-task-state-change.json":               {{Kind: Ignore}},
	"negative/inspector2-finding-ec2.json":              {{Kind: Ignore}},
}

const (
	taskSet           = "task-set/production/web/ecs-svc/7426011738460515"
	containerInstance = "container-instance/production/0f1e2d3c4b5a69788796a5b4c3d2e1f0"
)

func got(a Action) want {
	w := want{Kind: a.Kind, ARN: a.ARN, Repo: a.RepositoryName, Registry: a.RegistryID, Digest: a.ImageDigest,
		Tag: a.ImageTag, Actor: a.Actor}
	if a.Resource != nil {
		w.Res = a.Resource.Name
	}
	return w
}

func TestSamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(eventsDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	negative, err := filepath.Glob(filepath.Join(eventsDir, "negative", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, negative...)
	var names []string
	for _, f := range files {
		rel, _ := filepath.Rel(eventsDir, f)
		names = append(names, filepath.ToSlash(rel))
	}
	for name := range samples {
		if !slices.Contains(names, name) {
			t.Errorf("the table expects events/%s, which does not exist", name)
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			wants, ok := samples[name]
			if !ok {
				t.Fatalf("events/%s is not in the table: say what Parse must make of it", name)
			}
			raw, err := os.ReadFile(filepath.Join(eventsDir, name))
			if err != nil {
				t.Fatal(err)
			}
			var env struct{ ID, Time string }
			if err := json.Unmarshal(raw, &env); err != nil {
				t.Fatal(err)
			}
			acts, err := Parse(raw)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var gots []want
			for _, a := range acts {
				gots = append(gots, got(a))
				if a.Account != account || a.Region != region || a.EventID != env.ID || a.Time.Format(time.RFC3339) != env.Time {
					t.Errorf("action %s: account %q region %q event %q time %v; want %s %s %s %s",
						a.Kind, a.Account, a.Region, a.EventID, a.Time, account, region, env.ID, env.Time)
				}
				if (a.Kind == Ignore) != (a.Reason != "") {
					t.Errorf("action %s has reason %q: only ignored events carry one", a.Kind, a.Reason)
				}
			}
			if !reflect.DeepEqual(gots, wants) {
				t.Errorf("Parse:\n got %+v\nwant %+v", gots, wants)
			}
		})
	}
}

// TestCorpus parses every event of the shared corpus, taken from AWS documentation and SDK test data.
func TestCorpus(t *testing.T) {
	const (
		sampleRepo = "arn:aws:ecr:us-east-2:123456789012:repository/amazon/amazon-ecs-sample"
		myRepo     = "arn:aws:ecr:us-west-2:123456789012:repository/my-repository-name"
		docDigest  = "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234"
	)
	table := map[string][]want{
		// Bare CloudTrail records, read as the detail of an API call event.
		"cloudtrail-record-ecr-batchgetimage-ecr-docs.json": {{Kind: Ignore, Actor: "arn:aws:sts::123456789012:user/Mary_Major"}},
		"cloudtrail-record-ecr-createrepository-ecr-docs.json": {{Kind: AuditRepository,
			ARN: "arn:aws:ecr:us-east-2:123456789012:repository/testrepo", Repo: "testrepo", Registry: "123456789012",
			Actor: "arn:aws:sts::123456789012:user/Mary_Major"}},
		"cloudtrail-record-ecr-lifecycle-policyexecutionevent-ecr-docs.json": {{Kind: Ignore, Actor: "AWS Internal"}},
		"cloudtrail-record-ecr-putimage-ecr-docs.json":                       {{Kind: Ignore, Actor: "arn:aws:sts::123456789012:user/Mary_Major"}},
		// The ECS developer guide's CreateCluster record: the cluster is audited (issue 14), named by its response.
		"cloudtrail-record-ecs-createcluster-ecs-docs.json": {{Kind: AuditResource, ARN: "arn:aws:ecs:us-east-1:123456789012:cluster/default",
			Actor: "arn:aws:sts::123456789012:user/Mary_Major", Res: "cluster"}},
		"cloudtrail-record-kms-creategrant-for-ecr-ecr-docs.json": {{Kind: Ignore, Actor: "arn:aws:iam::123456789012:user/Mary_Major"}},
		"ecr-image-action-delete-ecr-docs.json": {{Kind: ArchiveImage, ARN: myRepo, Repo: "my-repository-name",
			Registry: "123456789012", Digest: docDigest, Tag: "latest"}},
		"ecr-image-action-push-ecr-docs.json": {{Kind: AuditImage, ARN: myRepo, Repo: "my-repository-name",
			Registry: "123456789012", Digest: docDigest, Tag: "latest"}},
		"ecr-image-scan-2019-no-severity-counts-ecr-docs.json": {{Kind: AuditImage,
			ARN: "arn:aws:ecr:us-east-1:123456789012:repository/my-repo", Repo: "my-repo", Registry: "123456789012", Digest: docDigest}},
		"ecr-image-scan-aws-lambda-go.json": {{Kind: AuditImage,
			ARN: "arn:aws:ecr:eu-north-1:123456789012:repository/tribble-image-scan-test", Repo: "tribble-image-scan-test",
			Registry: "123456789012", Digest: "sha256:d4a96ee9443e641fc100e763a0c10928720b50c6e3ea3342d05d7c3435fc5355",
			Tag: "1572471135"}},
		"ecr-image-scan-basic-ecr-docs.json": {{Kind: AuditImage,
			ARN: "arn:aws:ecr:us-east-1:123456789012:repository/my-repository-name", Repo: "my-repository-name",
			Registry: "123456789012", Digest: docDigest}},
		"ecr-scan-resource-change-ecr-docs.json":                  {{Kind: Ignore}},
		"ecs-container-instance-state-change-aws-lambda-go.json":  {{Kind: Ignore}},
		"ecs-deployment-state-change-ecs-docs.json":               {{Kind: Ignore}},
		"ecs-service-action-ecs-docs.json":                        {{Kind: Ignore}},
		"ecs-task-state-change-awsvpc-eni-aws-lambda-dotnet.json": {{Kind: Ignore}},
		"ecs-task-state-change-ecs-docs.json":                     {{Kind: Ignore}},
		"inspector2-finding-ecr-docs.json": {{Kind: AuditImage, ARN: sampleRepo, Repo: "amazon/amazon-ecs-sample",
			Registry: "123456789012", Digest: "sha256:36c7b282abd0186e01419f2e58743e1bf635808231049bbc9d77e5EXAMPLE", Tag: "latest"}},
		"inspector2-scan-ecr-docs.json": {{Kind: AuditImage, ARN: sampleRepo, Repo: "amazon/amazon-ecs-sample",
			Registry: "123456789012", Digest: "sha256:36c7b282abd0186e01419f2e58743e1bf635808231049bbc9d77e5EXAMPLE", Tag: "latest"}},
		"scheduled-event-aws-lambda-dotnet.json":              {{Kind: Sweep}},
		"scheduled-event-eventbridge-docs.json":               {{Kind: Sweep}},
		"scheduled-event-sam-cli-template.json":               {{Kind: Sweep}},
		"securityhub-findings-imported-securityhub-docs.json": nil, // not valid JSON as stored: an error
	}
	files, err := filepath.Glob(filepath.Join(corpusEvents, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("corpus not found at %s", corpusEvents)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			wants, ok := table[name]
			if !ok {
				t.Fatalf("corpus event %s is not in the table", name)
			}
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			acts, err := Parse(raw)
			if wants == nil {
				if err == nil {
					t.Fatalf("Parse = %+v, want an error", acts)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var gots []want
			for _, a := range acts {
				gots = append(gots, got(a))
				if a.Time.IsZero() {
					t.Errorf("action %s has no time", a.Kind)
				}
			}
			if !reflect.DeepEqual(gots, wants) {
				t.Errorf("Parse:\n got %+v\nwant %+v", gots, wants)
			}
		})
	}
}

// TestMalformed breaks the samples one field at a time: each break is an error that names the field, never a panic
// and never an action.
func TestMalformed(t *testing.T) {
	tests := []struct {
		name, file string
		edit       func(m map[string]any)
		raw        string // used instead of file when set
		wantErr    string
	}{
		{name: "empty payload", raw: "", wantErr: "invalid JSON"},
		{name: "not JSON", raw: "{\"id\": ", wantErr: "invalid JSON"},
		{name: "a list", raw: "[]", wantErr: "event: got a JSON array, want an object"},
		{name: "empty object", raw: "{}", wantErr: "no detail-type"},
		{name: "truncated time", file: "ecs-register-task-definition.json",
			edit: func(m map[string]any) { m["time"] = "2026-11-22T10:1" }, wantErr: `time: "2026-11-22T10:1" is not an RFC 3339`},
		{name: "time without zone", file: "scheduled-sweep.json",
			edit: func(m map[string]any) { m["time"] = "2026-11-22 12:00:00" }, wantErr: "is not an RFC 3339"},
		{name: "time as a number", file: "scheduled-sweep.json",
			edit: func(m map[string]any) { m["time"] = 1795348800 }, wantErr: "event.time: got a JSON number, want a string"},
		{name: "no time", file: "scheduled-sweep.json", edit: func(m map[string]any) { delete(m, "time") }, wantErr: "no time"},
		{name: "missing detail", file: "ecs-register-task-definition.json",
			edit: func(m map[string]any) { delete(m, "detail") }, wantErr: "detail: missing"},
		{name: "null detail", file: "ecr-image-scan.json",
			edit: func(m map[string]any) { m["detail"] = nil }, wantErr: "detail: missing"},
		{name: "detail as a string", file: "ecr-image-action-push.json",
			edit: func(m map[string]any) { m["detail"] = "PUSH" }, wantErr: "detail: got a JSON string, want an object"},
		{name: "missing detail on a schedule", file: "scheduled-sweep.json",
			edit: func(m map[string]any) { delete(m, "detail") }, wantErr: "detail: missing"},
		{name: "detail-type as a number", file: "scheduled-sweep.json",
			edit: func(m map[string]any) { m["detail-type"] = 7 }, wantErr: "event.detail-type: got a JSON number, want a string"},
		{name: "delete list as a string", file: "ecs-delete-task-definitions.json",
			edit: func(m map[string]any) {
				d := detail(m)
				d["responseElements"] = nil
				d["requestParameters"] = map[string]any{"taskDefinitions": "web:7"}
			}, wantErr: "detail.requestParameters.taskDefinitions: got a JSON string, want a list"},
		{name: "task definition ARN as a number", file: "ecs-register-task-definition.json",
			edit: func(m map[string]any) {
				detail(m)["responseElements"] = map[string]any{"taskDefinition": map[string]any{"taskDefinitionArn": 7}}
			}, wantErr: "detail.responseElements.taskDefinition.taskDefinitionArn: got a JSON number, want a string"},
		{name: "register names no task definition", file: "ecs-register-task-definition.json",
			edit: func(m map[string]any) {
				d := detail(m)
				d["responseElements"], d["requestParameters"] = nil, map[string]any{}
			}, wantErr: "RegisterTaskDefinition call names no task definition"},
		{name: "deregister of a cluster ARN", file: "ecs-deregister-task-definition.json",
			edit: func(m map[string]any) {
				d := detail(m)
				d["responseElements"] = nil
				d["requestParameters"] = map[string]any{"taskDefinition": "arn:aws:ecs:us-east-1:111122223333:cluster/web"}
			}, wantErr: "is not a task definition ARN"},
		{name: "userIdentity as a string", file: "ecs-tag-resource.json",
			edit: func(m map[string]any) { detail(m)["userIdentity"] = "alice" }, wantErr: "detail.userIdentity: got a JSON string"},
		{name: "tag without resourceArn", file: "ecs-tag-resource.json",
			edit: func(m map[string]any) { detail(m)["requestParameters"] = map[string]any{} }, wantErr: `resourceArn: "" is not an ARN`},
		{name: "repository call without a repository", file: "ecr-put-lifecycle-policy.json",
			edit: func(m map[string]any) {
				d := detail(m)
				d["requestParameters"], d["responseElements"] = map[string]any{}, nil
			}, wantErr: "PutLifecyclePolicy call names no repository"},
		{name: "scan without digest", file: "ecr-image-scan.json",
			edit: func(m map[string]any) { delete(detail(m), "image-digest") }, wantErr: `image digest "" is not a digest`},
		{name: "scan without repository", file: "inspector2-scan.json",
			edit: func(m map[string]any) { delete(detail(m), "repository-name") }, wantErr: "no repository name"},
		{name: "image tags as a string", file: "ecr-image-scan.json",
			edit: func(m map[string]any) { detail(m)["image-tags"] = "1.4.2" }, wantErr: "detail.image-tags: got a JSON string, want a list"},
		{name: "finding resources as an object", file: "inspector2-finding.json",
			edit: func(m map[string]any) { detail(m)["resources"] = map[string]any{} }, wantErr: "detail.resources: got a JSON object, want a list"},
		{name: "finding image without details", file: "inspector2-finding.json",
			edit: func(m map[string]any) {
				detail(m)["resources"] = []any{map[string]any{"type": "AWS_ECR_CONTAINER_IMAGE", "details": map[string]any{}}}
			}, wantErr: "detail.resources[0].details.awsEcrContainerImage: missing"},
		{name: "bare record with a truncated eventTime", raw: `{"eventSource":"ecr.amazonaws.com","eventName":"CreateRepository",` +
			`"eventID":"e1","eventTime":"2026-11-22T10"}`, wantErr: `record "e1": eventTime: "2026-11-22T10" is not an RFC 3339`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := []byte(tc.raw)
			if tc.file != "" {
				raw = edited(t, tc.file, tc.edit)
			}
			acts, err := Parse(raw)
			if err == nil {
				t.Fatalf("Parse = %+v, want an error containing %q", acts, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not contain %q", err, tc.wantErr)
			}
			if acts != nil {
				t.Errorf("Parse returned actions %+v with its error", acts)
			}
		})
	}
}

// TestLenient checks variants that must still parse: fields the actions do not use may be anything, and missing
// optional parts fall back to other fields.
func TestLenient(t *testing.T) {
	tests := []struct {
		name, file string
		edit       func(m map[string]any)
		want       []want
	}{
		{name: "unused fields of the wrong type", file: "ecs-register-task-definition.json",
			edit: func(m map[string]any) {
				m["resources"] = "none"
				m["version"] = 0
				d := detail(m)
				d["tlsDetails"] = 1
				d["requestParameters"].(map[string]any)["containerDefinitions"] = "?"
			}, want: []want{{Kind: AuditTaskDefinition, ARN: web7, Actor: deploy}}},
		{name: "register response omitted: family ARN", file: "ecs-register-task-definition.json",
			edit: func(m map[string]any) { detail(m)["responseElements"] = nil },
			want: []want{{Kind: AuditTaskDefinition, ARN: "arn:aws:ecs:us-east-1:111122223333:task-definition/web", Actor: deploy}}},
		{name: "deregister from the request when no response", file: "ecs-deregister-task-definition.json",
			edit: func(m map[string]any) { detail(m)["responseElements"] = nil },
			want: []want{{Kind: ArchiveTaskDefinition, ARN: web7, Actor: deploy}}},
		{name: "delete with a failure", file: "ecs-delete-task-definitions.json",
			edit: func(m map[string]any) {
				resp := detail(m)["responseElements"].(map[string]any)
				resp["taskDefinitions"] = resp["taskDefinitions"].([]any)[1:]
				resp["failures"] = []any{map[string]any{"arn": web6, "reason": "TASK_DEFINITION_NOT_INACTIVE"}}
			}, want: []want{{Kind: ArchiveTaskDefinition, ARN: web7, Actor: deploy}}},
		{name: "delete where everything failed", file: "ecs-delete-task-definitions.json",
			edit: func(m map[string]any) {
				detail(m)["responseElements"].(map[string]any)["taskDefinitions"] = []any{}
			}, want: []want{{Kind: Ignore, Actor: deploy}}},
		{name: "delete from the request when no response", file: "ecs-delete-task-definitions.json",
			edit: func(m map[string]any) { detail(m)["responseElements"] = nil },
			want: []want{{Kind: ArchiveTaskDefinition, ARN: web6, Actor: deploy}, {Kind: ArchiveTaskDefinition, ARN: web7, Actor: deploy}}},
		{name: "account and region from the record", file: "ecs-untag-resource.json",
			edit: func(m map[string]any) { delete(m, "account"); delete(m, "region") },
			want: []want{{Kind: ReevaluateTaskDefinition, ARN: web7, Actor: admin}}},
		{name: "cross-account registry", file: "ecr-set-repository-policy.json",
			edit: func(m map[string]any) {
				d := detail(m)
				d["requestParameters"].(map[string]any)["registryId"] = "444455556666"
				d["responseElements"] = nil
			}, want: []want{{Kind: AuditRepository, ARN: "arn:aws:ecr:us-east-1:444455556666:repository/web", Repo: "web",
				Registry: "444455556666", Actor: deploy}}},
		{name: "failed push", file: "ecr-image-action-push.json",
			edit: func(m map[string]any) { detail(m)["result"] = "FAILURE" }, want: []want{{Kind: Ignore}}},
		{name: "image scan from another source", file: "ecr-image-scan.json",
			edit: func(m map[string]any) { m["source"] = "my.app" }, want: []want{{Kind: Ignore}}},
		{name: "tag on an ECR resource that is not a repository", file: "ecr-tag-resource.json",
			edit: func(m map[string]any) {
				detail(m)["requestParameters"] = map[string]any{
					"resourceArn": "arn:aws:ecr:us-east-1:111122223333:repository-creation-template/web"}
			}, want: []want{{Kind: Ignore, Actor: admin}}},
		{name: "call to another service", file: "ecr-create-repository.json",
			edit: func(m map[string]any) { detail(m)["eventSource"] = "s3.amazonaws.com" }, want: []want{{Kind: Ignore, Actor: deploy}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			acts, err := Parse(edited(t, tc.file, tc.edit))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var gots []want
			for _, a := range acts {
				gots = append(gots, got(a))
				if a.Account != account || a.Region != region {
					t.Errorf("action %s: account %q region %q", a.Kind, a.Account, a.Region)
				}
			}
			if !reflect.DeepEqual(gots, tc.want) {
				t.Errorf("Parse:\n got %+v\nwant %+v", gots, tc.want)
			}
		})
	}
}

// edited reads a sample from events/ and applies edit to its decoded form.
func edited(t *testing.T, file string, edit func(map[string]any)) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(eventsDir, file))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func detail(m map[string]any) map[string]any { return m["detail"].(map[string]any) }

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(eventsDir, "*.json"))
	for _, file := range files {
		if raw, err := os.ReadFile(file); err == nil {
			f.Add(raw)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		acts, err := Parse(raw)
		if err == nil && len(acts) == 0 {
			t.Errorf("Parse returned neither an action nor an error")
		}
	})
}
