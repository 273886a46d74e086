package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// TestDemoEndToEnd does what `make demo` does and asserts the outcome exactly: the findings in Security Hub with
// their compliance, record state, workflow and severity; the notifications; and that the credential planted in a
// task definition's environment reaches nothing that is sent, stored or logged.
func TestDemoEndToEnd(t *testing.T) {
	ctx := context.Background()
	e, err := Start(ctx, repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	e.Shim.Capture(true)
	for i, s := range Steps() {
		if err := e.Do(ctx, s); err != nil {
			t.Fatalf("step %d %s: %v", i+1, s.Event, err)
		}
	}
	fs, err := e.Findings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, strings.Join([]string{string(f.RecordState), string(f.Compliance.Status), string(f.Workflow.Status),
			string(f.Severity.Label), aws.ToString(f.GeneratorId), shortARN(aws.ToString(f.Resources[0].Id)), f.ProductFields["ecsaudit/Container"]}, " "))
	}
	const digest = "sha256:eec5ee479aeeda42d35e90fa1eeebf99ad0876eb5609b46c72e51b0bf41a751f"
	const tools = "sha256:ec18790c7874fb77016dfad7be2ad064f8a55db28012124a24a4fbf2a6fc416f"
	want := []string{
		"ACTIVE FAILED NEW MEDIUM repo.mutable-tags repository/legacy ",
		"ACTIVE FAILED NEW MEDIUM repo.no-lifecycle-policy repository/legacy ",
		"ACTIVE FAILED NEW MEDIUM repo.not-cmk-encrypted repository/legacy ",
		// Step 5 pushed a debug image to tools: its layers were read from the registry (a setuid helper, a deploy key
		// deleted in a later layer but still in the image, a shell, no USER). The repository itself is found by the
		// sweep.
		"ACTIVE FAILED NEW HIGH image.secrets-in-layers repository/tools/" + tools + " ",
		"ACTIVE FAILED NEW MEDIUM image.setuid-files repository/tools/" + tools + " ",
		"ACTIVE FAILED NEW LOW image.shell-present repository/tools/" + tools + " ",
		"ACTIVE FAILED NEW MEDIUM image.runs-as-root repository/tools/" + tools + " ",
		"ACTIVE FAILED NEW MEDIUM repo.no-lifecycle-policy repository/tools ",
		"ACTIVE FAILED NEW MEDIUM repo.not-cmk-encrypted repository/tools ",
		// Step 6 added the lifecycle policy: the finding from step 1 is resolved.
		"ARCHIVED PASSED NEW MEDIUM repo.no-lifecycle-policy repository/web ",
		"ACTIVE FAILED NEW HIGH image.vulnerabilities repository/web/" + digest + " ",
		// The worker runs as root and is privileged: each of its findings rises one level (the engine's context pass).
		"ACTIVE FAILED NEW CRITICAL task.added-capabilities task-definition/legacy-worker:1 worker",
		"ACTIVE FAILED NEW LOW task.capabilities-not-dropped task-definition/legacy-worker:1 log-router",
		"ACTIVE FAILED NEW MEDIUM task.capabilities-not-dropped task-definition/legacy-worker:1 worker",
		"ACTIVE FAILED NEW MEDIUM task.cpu-limit task-definition/legacy-worker:1 ",
		"ACTIVE FAILED NEW MEDIUM task.host-network-mode task-definition/legacy-worker:1 ",
		"ACTIVE FAILED NEW HIGH task.host-network-root task-definition/legacy-worker:1 ",
		"ACTIVE FAILED NEW CRITICAL task.host-path-volume task-definition/legacy-worker:1 worker",
		"ACTIVE FAILED NEW HIGH task.image-not-pinned task-definition/legacy-worker:1 worker",
		"ACTIVE FAILED NEW HIGH task.memory-limit task-definition/legacy-worker:1 worker",
		"ACTIVE FAILED NEW HIGH task.no-log-configuration task-definition/legacy-worker:1 worker",
		"ACTIVE FAILED NEW LOW task.no-new-privileges-missing task-definition/legacy-worker:1 log-router",
		"ACTIVE FAILED NEW MEDIUM task.no-new-privileges-missing task-definition/legacy-worker:1 worker",
		"ACTIVE FAILED NEW CRITICAL task.privileged-container task-definition/legacy-worker:1 worker",
		// Host networking: the tasks share the instance's interfaces (a task-level hardening rule, not risen).
		"ACTIVE FAILED NEW LOW task.not-awsvpc task-definition/legacy-worker:1 ",
		// Waived by the task definition's ecsaudit:suppress tag.
		"ACTIVE FAILED SUPPRESSED MEDIUM task.root-user task-definition/legacy-worker:1 log-router",
		"ACTIVE FAILED NEW HIGH task.root-user task-definition/legacy-worker:1 worker",
		"ACTIVE FAILED NEW CRITICAL task.secrets-in-environment task-definition/legacy-worker:1 worker",
		"ACTIVE FAILED NEW MEDIUM task.untrusted-registry task-definition/legacy-worker:1 worker",
		// Restricted (hardening) rules default to MEDIUM or below: HIGH is for baseline risks.
		"ACTIVE FAILED NEW MEDIUM task.writable-root-filesystem task-definition/legacy-worker:1 log-router",
		"ACTIVE FAILED NEW HIGH task.writable-root-filesystem task-definition/legacy-worker:1 worker",
		// Steps 8 to 10: the cluster without Container Insights, the service with public IPs and the capacity provider
		// without termination protection; none is tagged. The sweep lists and describes them too (they have no sweep
		// record yet) and finds the same: they stay open, announced once, by their events.
		"ACTIVE FAILED NEW MEDIUM cluster.container-insights-disabled cluster/production ",
		"ACTIVE FAILED NEW LOW cluster.untagged cluster/production ",
		"ACTIVE FAILED NEW HIGH service.public-ip service/production/web ",
		"ACTIVE FAILED NEW LOW service.untagged service/production/web ",
		"ACTIVE FAILED NEW MEDIUM capacity-provider.no-termination-protection capacity-provider/production-asg ",
		// Step 12 deregistered web:7: its findings are archived.
		"ARCHIVED FAILED NEW LOW task.capabilities-not-dropped task-definition/web:7 web",
		"ARCHIVED FAILED NEW HIGH task.vulnerable-image task-definition/web:7 web",
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Security Hub findings:\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	ns, err := e.Notifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, n := range ns {
		subjects = append(subjects, n[0])
	}
	wantSubjects := []string{
		"ecsaudit HIGH: Image has vulnerabilities at or above the threshold on " + digest[:26] + "...",
		"ecsaudit HIGH: Container image has known vulnerabilities on web:7, container web",
		"ecsaudit HIGH: Image layers hold credential files on " + tools[:43] + "...",
		"ecsaudit HIGH: Service assigns public IP addresses to its tasks on web",
		"ecsaudit: 10 new findings, highest CRITICAL, account 111122223333",
	}
	if strings.Join(subjects, "\n") != strings.Join(wantSubjects, "\n") {
		t.Errorf("notifications:\n got: %q\nwant: %q", subjects, wantSubjects)
	}
	if !strings.Contains(ns[4][1], "task.secrets-in-environment") || !strings.Contains(ns[4][1], "DB_PASSWORD") {
		t.Errorf("the sweep's notification should name the credential finding and the variable: %s", ns[4][1])
	}
	if strings.Contains(ns[2][1], "demo-not-a-real-key") {
		t.Errorf("the image notification quotes the key's content: %s", ns[2][1])
	}

	// With web:7 deregistered, web:6 is the family's latest ACTIVE revision: the next sweep audits it. No service
	// runs it (the first sweep read every service, task set and standalone task, so the running index is complete), so its vulnerable-image finding
	// falls from HIGH to MEDIUM, below the notification threshold: it is published, not announced. The sweep after
	// that announces nothing either.
	sweep := Step{Event: "scheduled-sweep.json", Function: "Sweeper"}
	if err := e.Do(ctx, sweep); err != nil {
		t.Fatal(err)
	}
	again, err := e.Notifications(ctx)
	if err != nil || len(again) != 0 {
		t.Errorf("second sweep: want no notification (web:6 runs nowhere), got %v %v", again, err)
	}
	after, err := e.Findings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lowered := false
	for _, f := range after {
		if aws.ToString(f.GeneratorId) == "task.vulnerable-image" && strings.HasSuffix(aws.ToString(f.Resources[0].Id), "task-definition/web:6") &&
			f.RecordState == "ACTIVE" && f.FindingProviderFields != nil && f.FindingProviderFields.Severity != nil &&
			f.FindingProviderFields.Severity.Label == "MEDIUM" && strings.Contains(aws.ToString(f.Description), "no service, task set or standalone task runs this revision") {
			lowered = true
		}
	}
	if !lowered {
		t.Error("web:6's task.vulnerable-image is not published as MEDIUM with the reason (nothing runs the revision)")
	}
	if err := e.Do(ctx, sweep); err != nil {
		t.Fatal(err)
	}
	if again, err := e.Notifications(ctx); err != nil || len(again) != 0 {
		t.Errorf("a third sweep notified again: %v %v", again, err)
	}

	// The planted credential never leaves the process.
	var sent bytes.Buffer
	for _, r := range e.Shim.Requests() {
		sent.Write(r.Body)
	}
	if sent.Len() == 0 {
		t.Fatal("no request bodies were captured")
	}
	scan, err := dynamodb.NewFromConfig(e.Config).Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, it := range scan.Items {
		for k, v := range it {
			switch v := v.(type) {
			case *ddbtypes.AttributeValueMemberS:
				fmt.Fprintf(&sb, "%s=%s\n", k, v.Value)
			case *ddbtypes.AttributeValueMemberSS:
				fmt.Fprintf(&sb, "%s=%s\n", k, strings.Join(v.Value, ","))
			}
		}
	}
	stored := sb.String()
	if !strings.Contains(stored, "legacy-worker") {
		t.Fatalf("the state scan holds no finding of legacy-worker: the check would pass vacuously")
	}
	logs, err := os.ReadFile(e.LogPath())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logs), "no CloudTrail trail is logging") || !strings.Contains(string(logs), `"NoCloudTrail":1`) {
		t.Errorf("the sweep did not warn that no trail is logging (the emulator has none)")
	}
	for name, text := range map[string]string{"sent to AWS": sent.String(), "stored": stored, "logged": string(logs), "notified": strings.Join(subjects, " ")} {
		if strings.Contains(text, e.Secret) {
			t.Errorf("the planted secret was %s", name)
		}
	}
	// The secret did reach the emulator once: in the RegisterTaskDefinition call that seeded it, which is not
	// ours. Everything ecsaudit sends is checked above; make sure the check looked at something.
	if !strings.Contains(sent.String(), "DB_PASSWORD") {
		t.Errorf("captured traffic lacks the variable name: the check would pass vacuously")
	}
	// The CloudFormation hook blocks the privileged CREATE and lets the hardened UPDATE through; each answer is one
	// line of JSON.
	answers, err := e.HookAnswers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(answers) != 2 || answers[0].Response.HookStatus != "FAILED" || answers[0].Response.ErrorCode != "NonCompliant" ||
		!strings.Contains(answers[0].Response.Message, "task.privileged-container") || answers[1].Response.HookStatus != "SUCCESS" {
		t.Errorf("hook answers: %+v", answers)
	}
	var printed bytes.Buffer
	if err := PrintHookAnswers(&printed, answers); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(printed.String(), "\n")
	for _, l := range lines[1:3] {
		var doc map[string]any
		if err := json.Unmarshal([]byte(l), &doc); err != nil || doc["hookStatus"] == nil {
			t.Errorf("printed answer is not one JSON object per line: %q (%v)", l, err)
		}
	}
}

// TestBaselineSweepNotifiesNobody installs the auditor with BASELINE_MODE on an account that already holds a bad
// task definition: the first sweep records its findings silently, later changes notify as usual.
func TestBaselineSweepNotifiesNobody(t *testing.T) {
	ctx := context.Background()
	e, err := StartWith(ctx, repoRoot(t), map[string]string{"BASELINE_MODE": "true"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	sweep := Step{Event: "scheduled-sweep.json", Function: "Sweeper"}
	if err := e.Do(ctx, sweep); err != nil {
		t.Fatal(err)
	}
	fs, err := e.Findings(ctx)
	if err != nil || len(fs) < 10 {
		t.Fatalf("the baseline sweep should still publish the findings: %d %v", len(fs), err)
	}
	if ns, err := e.Notifications(ctx); err != nil || len(ns) != 0 {
		t.Fatalf("the baseline sweep notified: %v %v", ns, err)
	}
	steps := Steps()
	for _, s := range steps[:4] { // repository, push, scan, web:7
		if err := e.Do(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	ns, err := e.Notifications(ctx)
	if err != nil || len(ns) == 0 {
		t.Fatalf("changes after the baseline must notify: %v %v", ns, err)
	}
	if err := e.Do(ctx, sweep); err != nil {
		t.Fatal(err)
	}
	if ns, err := e.Notifications(ctx); err != nil || len(ns) != 0 {
		t.Fatalf("a later sweep with nothing new notified: %v %v", ns, err)
	}
}
