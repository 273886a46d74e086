package lambdafn_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsaudit/ecsaudit/internal/testenv/demo"
	"github.com/ecsaudit/ecsaudit/internal/testenv/lambdatest"
)

func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// env is what Lambda and the template give a function, aimed at the demo's emulator.
func env(e *demo.Env, extra ...string) []string {
	return append([]string{
		"AWS_REGION=" + demo.Region, "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_ENDPOINT_URL=" + e.URL, "STATE_TABLE=ecsaudit-state", "TOPIC_ARN=" + e.TopicARN, "NOTIFY_THRESHOLD=HIGH",
	}, extra...)
}

func event(t *testing.T, name string) []byte {
	data, err := os.ReadFile(filepath.Join(root(), "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestFunctionsAsLambdaRunsThem builds each function with the release tags and flags, runs the binaries under the
// Lambda Runtime API, delivers the sample events (and malformed ones) and checks the responses and what reached the
// emulator. It logs the cold start, peak memory and per-event durations recorded in docs/performance.md.
func TestFunctionsAsLambdaRunsThem(t *testing.T) {
	ctx := context.Background()
	e, err := demo.Start(ctx, root())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	steps := map[string]demo.Step{}
	for _, s := range demo.Steps() {
		steps[s.Event] = s
	}
	bins := map[string]string{}
	for _, dir := range []string{"ecr-auditor", "taskdef-auditor", "sweeper"} {
		bins[dir] = lambdatest.Build(t, filepath.Join(root(), "functions", dir))
	}
	run := func(dir string, extra ...string) *lambdatest.Runtime {
		rt := lambdatest.Start(t, bins[dir], env(e, extra...))
		t.Cleanup(rt.Stop)
		return rt
	}
	ecrFn := run("ecr-auditor")
	tdFn := run("taskdef-auditor")
	sweeper := run("sweeper")

	invoke := func(rt *lambdatest.Runtime, name string) lambdatest.Response {
		t.Helper()
		if s, ok := steps[name]; ok {
			if err := s.Apply(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		r := rt.Invoke(event(t, name), 60*time.Second)
		if r.Err != nil {
			t.Fatalf("%s: function error %s: %s\nlogs:\n%s", name, r.Err.ErrorType, r.Err.ErrorMessage, rt.Stdout())
		}
		t.Logf("%-45s %v", name, r.Duration.Round(time.Millisecond))
		return r
	}
	for _, name := range []string{"ecr-create-repository.json", "ecr-image-action-push.json", "ecr-image-scan.json"} {
		invoke(ecrFn, name)
	}
	invoke(tdFn, "ecs-register-task-definition.json")
	invoke(sweeper, "scheduled-sweep.json")

	fs, err := e.Findings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	has := func(rule, resource string) bool {
		for _, f := range fs {
			if aws.ToString(f.GeneratorId) == rule && strings.HasSuffix(aws.ToString(f.Resources[0].Id), resource) && f.RecordState == "ACTIVE" {
				return true
			}
		}
		return false
	}
	for _, want := range [][2]string{
		{"task.vulnerable-image", "task-definition/web:7"},
		{"image.vulnerabilities", "repository/web/sha256:eec5ee479aeeda42d35e90fa1eeebf99ad0876eb5609b46c72e51b0bf41a751f"},
		{"task.privileged-container", "task-definition/legacy-worker:1"},
		{"repo.mutable-tags", "repository/legacy"},
	} {
		if !has(want[0], want[1]) {
			t.Errorf("no active %s finding on %s after the invocations", want[0], want[1])
		}
	}

	// Malformed events are logged with their id and acknowledged: a retry could not fix them.
	for _, bad := range []string{
		`{"id":"bad-1","detail-type":"AWS API Call via CloudTrail","source":"aws.ecs","time":"2026-11-2"}`,
		`{"id":"bad-2","detail-type":"ECR Image Scan","source":"aws.ecr","time":"2026-11-22T10:00:00Z"}`,
		`not json at all`,
	} {
		r := tdFn.Invoke([]byte(bad), 30*time.Second)
		if r.Err != nil {
			t.Errorf("malformed event %s: want acknowledged, got error %s", bad, r.Err.ErrorMessage)
		}
	}
	if logs := string(tdFn.Stdout()); !strings.Contains(logs, `"eventId":"bad-1"`) || !strings.Contains(logs, "malformed event") {
		t.Errorf("malformed events are not logged with their id:\n%s", logs)
	}

	// A function that cannot publish fails the invocation, so Lambda retries the event and then dead-letters it.
	broken := run("ecr-auditor", "STATE_TABLE=no-such-table")
	if r := broken.Invoke(event(t, "ecr-put-lifecycle-policy.json"), 60*time.Second); r.Err == nil {
		t.Errorf("a function that cannot reach its state table must return an error, got %s", r.Body)
	}

	// A bad setting stops the function before its first event, naming the variable.
	bad := run("sweeper", "REVISION_MODE=newest")
	if err := bad.Wait(30 * time.Second); err == nil {
		t.Fatalf("a misconfigured function exited with status 0")
	}
	if out := string(bad.Stdout()) + string(bad.Stderr()); !strings.Contains(out, "REVISION_MODE") {
		t.Errorf("the start-up error does not name REVISION_MODE:\n%s", out)
	}

	for name, rt := range map[string]*lambdatest.Runtime{"EcrAuditor": ecrFn, "TaskDefinitionAuditor": tdFn, "Sweeper": sweeper} {
		t.Logf("%-22s cold start %v, peak RSS %.1f MB", name, rt.ColdStart().Round(time.Millisecond), float64(rt.PeakRSS())/(1<<20))
	}
}
