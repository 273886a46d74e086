package event

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/testenv/fuzzseed"
)

// fuzzSeedFiles reads the seed files of each directory (fuzzseed.Files).
func fuzzSeedFiles(f *testing.F, dirs ...string) [][]byte {
	f.Helper()
	return fuzzseed.Files(f, dirs...)
}

// FuzzParseEvent feeds arbitrary payloads to Parse, which every Lambda calls on what EventBridge delivers. It checks
// more than FuzzParse in event_test.go (the kinds, reasons and ARNs of the actions) from more seeds.
func FuzzParseEvent(f *testing.F) {
	for _, data := range fuzzSeedFiles(f, "../../events", "../../events/negative", "../../testdata/corpus/events") {
		f.Add(data)
	}
	for _, s := range []string{
		`{}`, `null`, `[]`, `"x"`, `{"detail-type":"Scheduled Event","time":"2026-01-01T00:00:00Z","detail":{}}`,
		`{"detail-type":"Scheduled Event","time":"2026-01-01T00:00:00","detail":{}}`,
		`{"detail-type":"ECR Image Action","source":"aws.ecr","time":"2026-01-01T00:00:00Z","detail":"push"}`,
		`{"eventSource":"ecr.amazonaws.com","eventName":"DeleteRepository","eventTime":"2026-01-01T00:00:00Z",` +
			`"awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"repositoryName":"web"}}`,
		`{"eventSource":"ecs.amazonaws.com","eventName":"TagResource","eventTime":"2026-01-01T00:00:00Z",` +
			`"requestParameters":{"resourceArn":"arn:aws:ecs:us-east-1:111122223333:task-definition/web:7"}}`,
		`{"detail-type":"AWS API Call via CloudTrail","time":"2026-01-01T00:00:00Z","account":"1","region":"r",` +
			`"detail":{"eventSource":"ecs.amazonaws.com","eventName":"DeleteTaskDefinitions",` +
			`"requestParameters":{"taskDefinitions":["web:1","web:2"]},"responseElements":{"taskDefinitions":[]}}}`,
	} {
		f.Add([]byte(s))
	}
	known := map[Kind]bool{
		AuditTaskDefinition: true, ArchiveTaskDefinition: true, ReevaluateTaskDefinition: true, AuditRepository: true,
		ArchiveRepository: true, AuditRegistry: true, AuditImage: true, ArchiveImage: true, Sweep: true, Ignore: true,
		AuditResource: true, ArchiveResource: true,
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		acts, err := Parse(data)
		if err != nil {
			if acts != nil {
				t.Fatalf("error %q together with actions %+v", err, acts)
			}
			// The handler logs the error; it must say which event (or bare record) it is about.
			if msg := err.Error(); !strings.HasPrefix(msg, "event") && !strings.HasPrefix(msg, "record") {
				t.Fatalf("error does not name the event: %q", msg)
			}
			return
		}
		if len(acts) == 0 {
			t.Fatal("no error and no action")
		}
		for i, a := range acts {
			if !known[a.Kind] {
				t.Fatalf("action %d has unknown kind %q", i, a.Kind)
			}
			if (a.Kind == Ignore) != (a.Reason != "") {
				t.Fatalf("action %d (%s) has reason %q: only ignored events carry one", i, a.Kind, a.Reason)
			}
			switch a.Kind {
			case AuditResource, ArchiveResource:
				// The handler reads the resource by its ARN and files findings under it.
				if a.Resource == nil || model.KindOfARN(a.ARN) != a.Resource {
					t.Fatalf("action %d (%s): %q is not the ARN of a %v", i, a.Kind, a.ARN, a.Resource)
				}
			case AuditTaskDefinition, ArchiveTaskDefinition, ReevaluateTaskDefinition:
				arn, ok := model.ParseARN(a.ARN)
				if !ok || arn.Service != "ecs" || !strings.HasPrefix(arn.Resource, "task-definition/") {
					t.Fatalf("action %d (%s): %q is not a task definition ARN", i, a.Kind, a.ARN)
				}
			case AuditRepository, ArchiveRepository, AuditImage, ArchiveImage:
				// The handler reads the repository by name and registry and files findings under the ARN.
				arn, ok := model.ParseARN(a.ARN)
				if !ok || arn.Service != "ecr" || arn.Resource != "repository/"+a.RepositoryName || arn.Account != a.RegistryID {
					t.Fatalf("action %d (%s): %q is not the ARN of repository %q in registry %q", i, a.Kind, a.ARN, a.RepositoryName, a.RegistryID)
				}
				if a.RepositoryName == "" {
					t.Fatalf("action %d (%s) names no repository", i, a.Kind)
				}
				if (a.Kind == AuditImage || a.Kind == ArchiveImage) &&
					!strings.HasPrefix(a.ImageDigest, "sha256:") && !strings.HasPrefix(a.ImageDigest, "sha512:") {
					t.Fatalf("action %d (%s): %q is not an image digest", i, a.Kind, a.ImageDigest)
				}
			}
		}
	})
}
