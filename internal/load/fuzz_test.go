package load

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/testenv/fuzzseed"
)

// fuzzCorpus is the shared corpus of real AWS documents, relative to this package's directory.
const fuzzCorpus = "../../testdata/corpus"

// fuzzSeedFiles reads the seed files of each directory (fuzzseed.Files).
func fuzzSeedFiles(f *testing.F, dirs ...string) [][]byte {
	f.Helper()
	return fuzzseed.Files(f, dirs...)
}

func readSeed(f *testing.F, path string) []byte {
	f.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		f.Fatalf("seed corpus: %v", err)
	}
	return data
}

var validStatuses = map[rule.Status]bool{
	rule.Failed: true, rule.Passed: true, rule.NotApplicable: true, rule.NotAvailable: true, rule.Suppressed: true,
}

// FuzzLoad reads two arbitrary documents into one set, links them, and evaluates every shipped rule on the result,
// leniently and strictly. Two documents, because linking joins what separate files say about the same repository or
// image (a policy file and a describe-repositories file, describe-images and a task definition).
func FuzzLoad(f *testing.F) {
	for _, data := range fuzzSeedFiles(f, fuzzCorpus+"/taskdefs", fuzzCorpus+"/ecr") {
		f.Add(data, []byte(nil))
	}
	ecrDir := fuzzCorpus + "/ecr/"
	repos := readSeed(f, ecrDir+"describe-repositories-c7n-jenkins.json")
	f.Add(repos, readSeed(f, ecrDir+"get-repository-policy-c7n-public-principal-star.json"))
	f.Add(readSeed(f, ecrDir+"describe-repositories-awscli-example.json"), readSeed(f, ecrDir+"get-repository-policy-awscli-example.json"))
	f.Add(readSeed(f, ecrDir+"describe-images-awscli-example.json"), readSeed(f, ecrDir+"describe-image-scan-findings-awscli-example.json"))
	f.Add(readSeed(f, fuzzCorpus+"/taskdefs/015-ecsdocs-sample-app-ecr-image.json"), readSeed(f, ecrDir+"describe-images-c7n-test.json"))
	registry := []byte(`{"registryId":"111122223333","scanningConfiguration":{"scanType":"BASIC","rules":[` +
		`{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"prod*","filterType":"WILDCARD"}]}]}}`)
	f.Add(repos, registry)
	f.Add(registry, []byte(`{"registryId":"111122223333","repositoryName":"web","policyText":"{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"}}}","lifecyclePolicyText":"{}"}`))
	// Hand-written shapes the corpus lacks.
	f.Add([]byte(`[{"name":"a","image":"111122223333.dkr.ecr.us-east-1.amazonaws.com/web:1","privileged":true}]`),
		[]byte(`{"imageDetails":[{"registryId":"111122223333","repositoryName":"web","imageDigest":"sha256:1","imageTags":["1"],"imagePushedAt":1572489492.0,"imageScanStatus":{"status":"COMPLETE"},"imageScanFindingsSummary":{"findingSeverityCounts":{"HIGH":2}}}]}`))
	f.Add([]byte(`{"taskDefinition":{"taskDefinitionArn":"arn:aws:ecs:us-east-1:111122223333:task-definition/web:3","family":"web","revision":3,"cpu":256,"networkMode":"host","containerDefinitions":[{"name":"a","image":"x","user":"0","environment":[{"name":"DB_PASSWORD","value":"hunter2"}]}]},"tags":[{"key":"ecsaudit:suppress","value":"task.root-user@a until=2026-12-31"}],"imageDetails":[]}`), []byte(nil))
	f.Add([]byte(`{"status_code":200,"data":{"taskDefinition":{"family":"rec","containerDefinitions":[{"name":"a","image":"x"}],"registeredAt":{"__class__":"datetime","year":2024,"month":1,"day":26,"hour":15,"minute":17,"second":13,"microsecond":7000}}}}`), []byte(nil))
	f.Add([]byte(`{"configurationItems":[{"resourceType":"AWS::ECS::TaskDefinition","arn":"arn:aws:ecs:us-east-1:111122223333:task-definition/cfg:1","configuration":"{\"Family\":\"cfg\",\"ContainerDefinitions\":[{\"Name\":\"a\",\"Image\":\"x\"}]}"}]}`), []byte(nil))
	f.Add([]byte(`{"repositories":[{"repositoryName":"web","registryId":"111122223333","imageTagMutability":"IMMUTABLE_WITH_EXCLUSION","imageTagMutabilityExclusionFilters":[{"filter":"latest","filterType":"WILDCARD"}],"encryptionConfiguration":{"encryptionType":"KMS","kmsKey":"k"}}],`+
		`"repositoryPolicies":[{"repositoryName":"web","policyText":"{}"}],"lifecyclePolicies":[],"tags":{"web":[{"Key":"team","Value":"a"}]},"scanningConfiguration":{"scanType":"ENHANCED","rules":[]}}`), []byte(nil))
	f.Add([]byte(`{"family":"w","containerDefinitions":[{"name":"a","image":"x"}],"tags":{"ecsaudit:suppress":"nope until=x"}}`), []byte(`{"status_code":404,"data":{"Error":{"Code":"X","Message":"m"}}}`))
	f.Add([]byte("{\n  \"family\": \"w\",\n  \"containerDefinitions\": [\n    {\"name\": 1}\n  ]\n}"), []byte(`{"family":"w",`))

	cat := catalog.Default()
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	sources := [2]string{"a.json", "dir/b.json"}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		for _, opts := range []Options{{}, {Strict: true, Account: "111122223333", Region: "us-east-1"}} {
			s := NewSet(opts)
			for i, data := range [][]byte{a, b} {
				if i == 1 && len(data) == 0 {
					continue
				}
				before := s.snapshot()
				err := s.Add(sources[i], data)
				if err == nil {
					continue
				}
				msg := err.Error()
				if !strings.HasPrefix(msg, sources[i]+": ") {
					t.Fatalf("strict=%v: error does not start with the source name %q: %q", opts.Strict, sources[i], msg)
				}
				if strings.Contains(msg, "%!") {
					t.Fatalf("strict=%v: error with a formatting mistake: %q", opts.Strict, msg)
				}
				var fe *FileError
				if errors.As(err, &fe) && len(fe.Fields) > 0 {
					// Refused fields: reported, each with a line and column, and the input kept without them.
					if len(s.Tasks) == before.t {
						t.Fatalf("strict=%v: %s has refused fields but no task definition was kept: %q", opts.Strict, sources[i], msg)
					}
					for _, f := range fe.Fields {
						if f.Line < 1 || f.Column < 1 || f.Path == "" {
							t.Fatalf("strict=%v: refused field not located: %+v", opts.Strict, f)
						}
					}
					continue
				}
				if s.snapshot() != before {
					t.Fatalf("strict=%v: failed Add of %s kept part of the input: %+v, before %+v", opts.Strict, sources[i], s.snapshot(), before)
				}
			}
			s.Link()
			all := s.Resources()
			for _, r := range all {
				if r.ID() == "" {
					t.Fatalf("strict=%v: %s resource from %s at %q has an empty ID", opts.Strict, r.Kind().Name, r.Ident().Source, r.Ident().SourcePath)
				}
			}
			e := engine.New(cat, nil)
			findings := e.Evaluate(all, now)
			for _, fd := range findings {
				if fd.ID() == "" {
					t.Fatalf("strict=%v: finding of %s on %s has an empty ID", opts.Strict, fd.Rule.ID, fd.Subject.ID)
				}
				if !validStatuses[fd.Status] {
					t.Fatalf("strict=%v: finding %s has status %q", opts.Strict, fd.ID(), fd.Status)
				}
			}
		}
	})
}
