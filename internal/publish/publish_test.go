package publish

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

func TestPublishCreatesFindings(t *testing.T) {
	e := newEnv(t, true)
	td := taskDef("web", 1, map[string]string{"scan": "failed"}, container{"app", true}, container{"sidecar", false})
	out := e.publish(td)

	app, scan := findingID(td, "test.privileged", "app"), findingID(td, "test.image-scan", "")
	if out.Created != 2 || out.Skipped != 1 || len(out.Failed) != 0 {
		t.Fatalf("outcome %+v: want 2 created, 1 skipped (the sidecar's pass)", out)
	}
	got := e.findings()
	if len(got) != 2 {
		t.Fatalf("Security Hub holds %d findings, want 2: %v", len(got), keys(got))
	}
	want := summary{Compliance: "FAILED", RecordState: "ACTIVE", Workflow: "NEW", CreatedAt: ts(start), UpdatedAt: ts(start)}
	for _, id := range []string{app, scan} {
		if s := summarize(got[id]); s != want {
			t.Errorf("%s: %+v, want %+v", id, s, want)
		}
	}
	if g := got[app]; aws.ToString(g.GeneratorId) != "test.privileged" || aws.ToString(g.ProductArn) != testProduct ||
		aws.ToString(g.FirstObservedAt) != ts(start) {
		t.Errorf("mapped finding: generator %s product %s first observed %s", aws.ToString(g.GeneratorId),
			aws.ToString(g.ProductArn), aws.ToString(g.FirstObservedAt))
	}

	r := e.record(app)
	wantRec := state.Record{
		FindingID: app, Status: rule.Failed, Compliance: "FAILED", Severity: rule.High, RuleID: "test.privileged",
		ResourceID: td.ID(), ResourceType: rule.TypeTaskDefinition, Container: "app", Account: testAccount,
		Region: testRegion, CreatedAt: start, FirstObservedAt: start, LastImportedAt: start, UpdatedAt: start,
		ObservedAt: start, RecordState: "ACTIVE", Workflow: "NEW", Fingerprint: r.Fingerprint,
		Transition: state.CreatedTransition(start),
	}
	if r.Fingerprint == "" || !reflect.DeepEqual(*r, wantRec) {
		t.Errorf("state record:\n got %+v\nwant %+v", *r, wantRec)
	}
	if e.record(findingID(td, "test.privileged", "sidecar")) != nil {
		t.Error("a pass that resolves nothing was stored")
	}
	if ids := notifyIDs(out); !reflect.DeepEqual(ids, sorted(app, scan)) {
		t.Errorf("notify candidates %v", ids)
	}
}

func TestPublishUpdatesSameID(t *testing.T) {
	e := newEnv(t, true)
	td := taskDef("web", 1, nil, container{"app", true})
	id := findingID(td, "test.privileged", "app")
	e.publish(td)

	// Nothing changed: nothing is sent.
	e.clock.Advance(time.Hour)
	if out := e.publish(td); out.Unchanged != 1 || out.Updated != 0 || e.imports() != 1 {
		t.Fatalf("unchanged re-run: %+v, %d import calls", out, e.imports())
	}

	// The finding's content changes (new image in the detail): the same Id is updated.
	e.clock.Advance(time.Hour)
	td.Def.ContainerDefinitions[0].Image = aws.String("nginx:1.28")
	if out := e.publish(td); out.Updated != 1 || out.Created != 0 {
		t.Fatalf("changed finding: %+v", out)
	}
	got := e.findings()
	if len(got) != 1 {
		t.Fatalf("%d findings after an update, want 1", len(got))
	}
	want := summary{Compliance: "FAILED", RecordState: "ACTIVE", Workflow: "NEW", CreatedAt: ts(start), UpdatedAt: ts(start.Add(2 * time.Hour))}
	if s := summarize(got[id]); s != want {
		t.Fatalf("updated finding %+v, want %+v", s, want)
	}
	if !strings.Contains(aws.ToString(got[id].Description), "nginx:1.28") {
		t.Errorf("description not updated: %s", aws.ToString(got[id].Description))
	}

	// Unchanged for more than 30 days: re-imported so that Security Hub's retention keeps it.
	e.clock.Advance(31 * 24 * time.Hour)
	if out := e.publish(td); out.Updated != 1 {
		t.Fatalf("stale finding not refreshed: %+v", out)
	}
	if r := e.record(id); !r.LastImportedAt.Equal(e.clock.Now()) || !r.CreatedAt.Equal(start) {
		t.Errorf("after refresh: last import %v created %v", r.LastImportedAt, r.CreatedAt)
	}
}

func TestPublishResolvesAfterFix(t *testing.T) {
	e := newEnv(t, true)
	td := taskDef("web", 1, nil, container{"app", true})
	id := findingID(td, "test.privileged", "app")
	e.publish(td)
	e.clock.Advance(time.Hour)
	td.Def.ContainerDefinitions[0].Privileged = aws.Bool(false)
	out := e.publish(td)
	if out.Resolved != 1 || len(out.Notify) != 0 {
		t.Fatalf("outcome %+v, want 1 resolved and nothing to notify", out)
	}
	want := summary{Compliance: "PASSED", RecordState: "ARCHIVED", Workflow: "NEW", CreatedAt: ts(start), UpdatedAt: ts(start.Add(time.Hour))}
	if s := summarize(e.findings()[id]); s != want {
		t.Fatalf("resolved finding %+v, want %+v", s, want)
	}
	r := e.record(id)
	if r.Status != rule.Passed || r.RecordState != "ARCHIVED" || r.ExpiresAt.IsZero() {
		t.Errorf("state after resolution: %+v", r)
	}
	// Passing again changes nothing.
	e.clock.Advance(time.Hour)
	if out := e.publish(td); out.Unchanged != 1 || e.imports() != 2 {
		t.Errorf("second pass: %+v, %d import calls", out, e.imports())
	}
}

func TestPublishArchivesDeletedResources(t *testing.T) {
	e := newEnv(t, true)
	gone := taskDef("web", 1, map[string]string{"scan": "failed"}, container{"app", true})
	kept := taskDef("api", 1, map[string]string{"scan": "failed"}, container{"app", true}, container{"log", true})
	e.publish(gone, kept)

	e.clock.Advance(time.Hour)
	out, err := e.publisher(Options{}).ArchiveResources(context.Background(), []string{gone.ID()})
	if err != nil || out.Archived != 2 {
		t.Fatalf("archive: %+v %v", out, err)
	}
	// The image-scan rule is disabled: its finding on the revision that is still evaluated is no longer produced.
	e.eng = engine.New(testCatalog, &config.Config{
		Settings: rule.DefaultSettings(),
		Rules:    map[string]config.RuleOverride{"test.image-scan": {Disabled: true}},
	})
	if out := e.publish(kept); out.Archived != 1 || out.Unchanged != 2 {
		t.Fatalf("finding no longer produced: %+v", out)
	}

	got := e.findings()
	for id, want := range map[string]string{
		findingID(gone, "test.privileged", "app"): "ARCHIVED",
		findingID(gone, "test.image-scan", ""):    "ARCHIVED",
		findingID(kept, "test.image-scan", ""):    "ARCHIVED",
		findingID(kept, "test.privileged", "app"): "ACTIVE",
		findingID(kept, "test.privileged", "log"): "ACTIVE",
	} {
		s := summarize(got[id])
		if s.RecordState != want || s.Compliance != "FAILED" || s.CreatedAt != ts(start) {
			t.Errorf("%s: %+v, want record state %s, compliance FAILED", id, s, want)
		}
		if r := e.record(id); r.RecordState != want {
			t.Errorf("%s: stored record state %s, want %s", id, r.RecordState, want)
		}
	}
	if title := aws.ToString(got[findingID(gone, "test.privileged", "app")].Title); !strings.HasPrefix(title, "Container runs privileged") {
		t.Errorf("archived finding rebuilt without its rule title: %q", title)
	}
	// Archiving again sends nothing.
	before := e.imports()
	if out, err := e.publisher(Options{}).ArchiveResources(context.Background(), []string{gone.ID()}); err != nil || out.Archived != 0 || e.imports() != before {
		t.Errorf("second archive: %+v %v", out, err)
	}
}

func TestPublishReopensOnRegression(t *testing.T) {
	e := newEnv(t, true)
	td := taskDef("web", 1, nil, container{"app", true})
	id := findingID(td, "test.privileged", "app")
	e.publish(td)
	if err := e.store.MarkNotified(context.Background(), []state.Announced{{FindingID: id, Transition: state.CreatedTransition(start)}}, start); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	td.Def.ContainerDefinitions[0].Privileged = aws.Bool(false)
	e.publish(td)
	// An analyst closes it in the console as resolved.
	setWorkflow(t, e, id, "RESOLVED")

	e.clock.Advance(time.Hour)
	td.Def.ContainerDefinitions[0].Privileged = aws.Bool(true)
	out := e.publish(td)
	if out.Reopened != 1 {
		t.Fatalf("outcome %+v, want 1 re-opened", out)
	}
	want := summary{Compliance: "FAILED", RecordState: "ACTIVE", Workflow: "NEW", CreatedAt: ts(start), UpdatedAt: ts(start.Add(2 * time.Hour))}
	if s := summarize(e.findings()[id]); s != want {
		t.Fatalf("re-opened finding %+v, want %+v", s, want)
	}
	// A regression is a new transition: it is announced again, once.
	if len(out.Notify) != 1 {
		t.Errorf("the re-opened finding is offered %d times, want once: %v", len(out.Notify), notifyIDs(out))
	}
	if r := e.record(id); r.Notified || r.Transition != state.ReopenedTransition(start.Add(time.Hour)) {
		t.Errorf("re-opened record %+v: want the transition named after the resolved record, not notified", r)
	}
}

func TestPublishReopenResetsOwnSuppression(t *testing.T) {
	e := newEnv(t, true)
	tags := map[string]string{"ecsaudit:suppress": "test.privileged@app"}
	td := taskDef("web", 1, tags, container{"app", true})
	id := findingID(td, "test.privileged", "app")
	if out := e.publish(td); out.Created != 1 || len(out.Notify) != 0 {
		t.Fatalf("suppressed creation: %+v", out)
	}
	if s := summarize(e.findings()[id]); s.Workflow != "SUPPRESSED" || s.Compliance != "FAILED" {
		t.Fatalf("suppressed finding shows %+v", s)
	}
	e.clock.Advance(time.Hour)
	td.Def.ContainerDefinitions[0].Privileged = aws.Bool(false)
	e.publish(td) // resolved while suppressed

	e.clock.Advance(time.Hour)
	delete(tags, "ecsaudit:suppress")
	td.Def.ContainerDefinitions[0].Privileged = aws.Bool(true)
	out := e.publish(td)
	if out.Reopened != 1 || len(out.Notify) != 1 {
		t.Fatalf("regression without suppression: %+v", out)
	}
	if s := summarize(e.findings()[id]); s.Workflow != "NEW" || s.RecordState != "ACTIVE" {
		t.Fatalf("re-opened finding shows %+v, want workflow NEW", s)
	}
	// The suppression on creation, then its lift on re-opening: both through BatchUpdateFindings.
	if u := e.shim.Updates(); len(u) != 2 || u[0].Workflow != "SUPPRESSED" || u[1].ID != id || u[1].Workflow != "NEW" {
		t.Fatalf("BatchUpdateFindings calls: %+v", u)
	}
	if r := e.record(id); r.Workflow != "NEW" {
		t.Errorf("stored workflow %s", r.Workflow)
	}
}

func TestPublishSuppressesExistingFinding(t *testing.T) {
	e := newEnv(t, true)
	tags := map[string]string{}
	td := taskDef("web", 1, tags, container{"app", true})
	id := findingID(td, "test.privileged", "app")
	e.publish(td)
	e.clock.Advance(time.Hour)
	tags["ecsaudit:suppress"] = "test.privileged"
	out := e.publish(td)
	if out.Updated != 1 || len(out.Notify) != 0 {
		t.Fatalf("suppression added: %+v", out)
	}
	if s := summarize(e.findings()[id]); s.Workflow != "SUPPRESSED" || s.RecordState != "ACTIVE" {
		t.Fatalf("finding shows %+v, want SUPPRESSED", s)
	}
	if u := e.shim.Updates(); len(u) != 1 || u[0].Workflow != "SUPPRESSED" {
		t.Fatalf("BatchUpdateFindings calls: %+v", u)
	}
	// Nothing changes on the next run: no further call.
	e.clock.Advance(time.Hour)
	if out := e.publish(td); out.Unchanged != 1 || len(e.shim.Updates()) != 1 {
		t.Errorf("steady suppressed finding: %+v, %d updates", out, len(e.shim.Updates()))
	}
}

func TestPublishNotAvailableKeepsFailed(t *testing.T) {
	e := newEnv(t, true)
	tags := map[string]string{"scan": "failed"}
	td := taskDef("web", 1, tags)
	id := findingID(td, "test.image-scan", "")
	e.publish(td)

	e.clock.Advance(time.Hour)
	tags["scan"] = "unknown"
	if out := e.publish(td); out.Unchanged != 1 || e.imports() != 1 {
		t.Fatalf("NOT_AVAILABLE over FAILED: %+v, %d import calls", out, e.imports())
	}
	want := summary{Compliance: "FAILED", RecordState: "ACTIVE", Workflow: "NEW", CreatedAt: ts(start), UpdatedAt: ts(start)}
	if s := summarize(e.findings()[id]); s != want {
		t.Fatalf("finding %+v, want %+v", s, want)
	}
	if r := e.record(id); r.Status != rule.Failed || r.Compliance != "FAILED" {
		t.Fatalf("state %+v", r)
	}

	// Still unreadable a month later: the FAILED finding is refreshed, not replaced.
	e.clock.Advance(31 * 24 * time.Hour)
	if out := e.publish(td); out.Updated != 1 {
		t.Fatalf("refresh: %+v", out)
	}
	s := summarize(e.findings()[id])
	if s.Compliance != "FAILED" || s.RecordState != "ACTIVE" || s.UpdatedAt != ts(e.clock.Now()) {
		t.Fatalf("refreshed finding %+v", s)
	}

	// A NOT_AVAILABLE result with nothing stored creates nothing.
	other := taskDef("api", 1, map[string]string{"scan": "unknown"})
	if out := e.publish(other); out.Skipped != 1 || out.Created != 0 {
		t.Errorf("NOT_AVAILABLE alone: %+v", out)
	}
}

func TestPublishReportPasses(t *testing.T) {
	e := newEnv(t, true)
	td := taskDef("web", 1, map[string]string{"scan": "ok"}, container{"app", false})
	out, err := e.publisher(Options{ReportPasses: true}).Publish(context.Background(), e.evaluate(td))
	if err != nil || out.Created != 2 {
		t.Fatalf("report passes: %+v %v", out, err)
	}
	for id, f := range e.findings() {
		if s := summarize(f); s.Compliance != "PASSED" || s.RecordState != "ACTIVE" {
			t.Errorf("%s: %+v", id, s)
		}
	}
}

func Test250FindingsIn3Calls(t *testing.T) {
	e := newEnv(t, true)
	var tds []*model.TaskDefinition
	for i := range 25 {
		var cs []container
		for j := range 10 {
			cs = append(cs, container{fmt.Sprintf("c%d", j), true})
		}
		tds = append(tds, taskDef(fmt.Sprintf("svc%02d", i), 1, nil, cs...))
	}
	out := e.publish(tds...)
	if out.Created != 250 {
		t.Fatalf("outcome %+v", out)
	}
	if n := e.imports(); n != 3 {
		t.Errorf("%d BatchImportFindings calls, want 3", n)
	}
	if n := len(e.findings()); n != 250 {
		t.Errorf("Security Hub holds %d findings, want 250", n)
	}
	if len(e.clock.slept) != 0 {
		t.Errorf("3 calls within the burst slept %v", e.clock.slept)
	}
}

func TestPublishRetriesFailedFindings(t *testing.T) {
	e := newEnv(t, true)
	td := taskDef("web", 1, nil, container{"app", true}, container{"log", true})
	flaky := findingID(td, "test.privileged", "log")
	e.shim.FailFinding(flaky, "InternalFailure", 2)
	out := e.publish(td)
	if out.Created != 2 || len(out.Failed) != 0 {
		t.Fatalf("outcome %+v", out)
	}
	if n := e.imports(); n != 3 {
		t.Errorf("%d import calls, want 3 (one, then two retries of the failed finding)", n)
	}
	if want := []time.Duration{500 * time.Millisecond, time.Second}; !reflect.DeepEqual(e.clock.slept, want) {
		t.Errorf("backoff %v, want %v", e.clock.slept, want)
	}
	if r := e.record(flaky); r == nil || r.RecordState != "ACTIVE" {
		t.Errorf("state of the finding that succeeded on retry: %+v", r)
	}
	if s := summarize(e.findings()[flaky]); s.Compliance != "FAILED" {
		t.Errorf("finding in Security Hub: %+v", s)
	}
}

func TestPublishPermanentFailureNamesIDs(t *testing.T) {
	e := newEnv(t, true)
	td := taskDef("web", 1, nil, container{"app", true}, container{"log", true})
	bad := findingID(td, "test.privileged", "log")
	e.shim.FailFinding(bad, "InternalFailure", 3)
	out, err := e.publisher(Options{MaxAttempts: 3}).Publish(context.Background(), e.evaluate(td))
	if !errors.Is(err, errImportFailed) || !strings.Contains(err.Error(), bad) {
		t.Fatalf("error %v: want errImportFailed naming %s", err, bad)
	}
	if out.Created != 1 || !reflect.DeepEqual(out.Failed, []string{bad}) {
		t.Fatalf("outcome %+v", out)
	}
	if e.record(bad) != nil {
		t.Fatal("the state of a refused finding was advanced")
	}
	// The next invocation sends it again (the emulator accepts it now).
	e.clock.Advance(time.Minute)
	if out := e.publish(td); out.Created != 1 || out.Unchanged != 1 {
		t.Fatalf("retry invocation: %+v", out)
	}
	if e.record(bad) == nil {
		t.Fatal("no state after the finding was accepted")
	}
}

func TestPublishSecurityHubNotEnabled(t *testing.T) {
	e := newEnv(t, false)
	p := e.publisher(Options{})
	td := taskDef("web", 1, nil, container{"app", true})
	for range 2 {
		_, err := p.Publish(context.Background(), e.evaluate(td))
		if !errors.Is(err, errHubNotEnabled) {
			t.Fatalf("error %v, want errHubNotEnabled", err)
		}
	}
	if _, err := p.ArchiveResources(context.Background(), []string{td.ID()}); !errors.Is(err, errHubNotEnabled) {
		t.Fatalf("archive: %v", err)
	}
	counts := e.shim.CallCounts()
	if counts["securityhub:DescribeHub"] != 1 {
		t.Errorf("DescribeHub called %d times, want once per publisher", counts["securityhub:DescribeHub"])
	}
	setup := map[string]bool{"securityhub:DescribeHub": true, "dynamodb:CreateTable": true, "dynamodb:DescribeTable": true, "dynamodb:UpdateTimeToLive": true}
	for api, n := range counts {
		if !setup[api] {
			t.Errorf("%s called %d times after Security Hub was found disabled", api, n)
		}
	}
}

// An evaluation of a resource read before the stored one (an invocation that was slow to publish) is not sent and
// does not replace the stored record: the later observation stands in Security Hub and in the state.
func TestPublishOlderObservationIsDropped(t *testing.T) {
	e := newEnv(t, true)
	td := taskDef("web", 1, nil, container{"app", true})
	id := findingID(td, "test.privileged", "app")
	e.publish(td)
	imports := e.imports()
	td.Def.ContainerDefinitions[0].Privileged = aws.Bool(false)
	ev := e.evaluate(td)
	for i := range ev {
		ev[i].ObservedAt = start.Add(-time.Minute)
	}
	e.clock.Advance(time.Hour)
	out, err := e.publisher(Options{}).Publish(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if out.Resolved != 0 || out.Stale != 1 || e.imports() != imports {
		t.Fatalf("outcome %+v after %d imports: want the stale pass dropped without a call", out, e.imports()-imports)
	}
	if s := summarize(e.findings()[id]); s.Compliance != "FAILED" || s.RecordState != "ACTIVE" || s.UpdatedAt != ts(start) {
		t.Errorf("Security Hub holds %+v, want the FAILED finding of %s", s, ts(start))
	}
	if r := e.record(id); r.Compliance != "FAILED" || !r.ObservedAt.Equal(start) {
		t.Errorf("record %+v, want the FAILED result observed at %s", r, ts(start))
	}
	// A read after the stored one is sent, with its own time as UpdatedAt.
	for i := range ev {
		ev[i].ObservedAt = start.Add(time.Minute)
	}
	if out, err := e.publisher(Options{}).Publish(context.Background(), ev); err != nil || out.Resolved != 1 {
		t.Fatalf("newer pass: %+v %v", out, err)
	}
	if s := summarize(e.findings()[id]); s.Compliance != "PASSED" || s.UpdatedAt != ts(start.Add(time.Minute)) {
		t.Errorf("Security Hub holds %+v, want PASSED updated at %s", s, ts(start.Add(time.Minute)))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sorted(ids ...string) []string {
	sort.Strings(ids)
	return ids
}

func notifyIDs(out Outcome) []string {
	var ids []string
	for _, f := range out.Notify {
		ids = append(ids, f.ID())
	}
	sort.Strings(ids)
	return ids
}

// setWorkflow plays an analyst changing a finding's workflow in the console.
func setWorkflow(t *testing.T, e *env, id, status string) {
	t.Helper()
	_, err := e.hub.BatchUpdateFindings(context.Background(), &securityhub.BatchUpdateFindingsInput{
		FindingIdentifiers: []types.AwsSecurityFindingIdentifier{{Id: aws.String(id), ProductArn: aws.String(testProduct)}},
		Workflow:           &types.WorkflowUpdate{Status: types.WorkflowStatus(status)},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPublishFindingsAboutAnotherAccount checks, against the shim's product ARN and account rule, that findings about
// a resource in another account and region (an image in a central ECR account, here a task definition shared from
// one) are imported under the publisher's own account and product ARN, with the resource's own ARN in Resources:
// Security Hub would refuse the whole call otherwise, the other findings of the batch included.
func TestPublishFindingsAboutAnotherAccount(t *testing.T) {
	e := newEnv(t, true)
	const foreign = "arn:aws:ecs:eu-west-1:999988887777:task-definition/shared:4"
	other := taskDef("shared", 4, nil, container{"app", true})
	other.ARN, other.Account, other.Region = foreign, "999988887777", "eu-west-1"
	other.Def.TaskDefinitionArn = aws.String(foreign)
	own := taskDef("web", 1, nil, container{"app", true})
	out := e.publish(own, other)
	if out.Created != 2 || len(out.Failed) != 0 {
		t.Fatalf("outcome %+v: want both findings created", out)
	}
	got := e.findings()[findingID(other, "test.privileged", "app")]
	if aws.ToString(got.AwsAccountId) != testAccount || aws.ToString(got.ProductArn) != testProduct || aws.ToString(got.Region) != testRegion {
		t.Errorf("imported as account %s, product %s, region %s; want the publisher's", aws.ToString(got.AwsAccountId),
			aws.ToString(got.ProductArn), aws.ToString(got.Region))
	}
	if len(got.Resources) != 1 || aws.ToString(got.Resources[0].Id) != foreign || aws.ToString(got.Resources[0].Region) != "eu-west-1" {
		t.Errorf("resources %+v: want the task definition's own ARN and region", got.Resources)
	}
}

// A result suppressed from its first evaluation is imported NEW and suppressed through BatchUpdateFindings: the
// import never carries the suppression (Security Hub's provider guide: Workflow belongs to the customer's
// BatchUpdateFindings).
func TestPublishSuppressesNewFindingThroughUpdate(t *testing.T) {
	e := newEnv(t, true)
	td := taskDef("web", 1, map[string]string{"ecsaudit:suppress": "test.privileged"}, container{"app", true})
	id := findingID(td, "test.privileged", "app")
	e.shim.Capture(true)
	out := e.publish(td)
	if out.Created != 1 || len(out.Notify) != 0 {
		t.Fatalf("outcome %+v: want the suppressed finding created, not announced", out)
	}
	for _, r := range e.shim.Requests() {
		if r.API == "securityhub:BatchImportFindings" && strings.Contains(string(r.Body), `"Workflow":{"Status":"SUPPRESSED"`) {
			t.Errorf("an import carries SUPPRESSED: %s", r.Body)
		}
	}
	if u := e.shim.Updates(); len(u) != 1 || u[0].Workflow != "SUPPRESSED" {
		t.Fatalf("BatchUpdateFindings calls %+v: want one setting SUPPRESSED", u)
	}
	if s := summarize(e.findings()[id]); s.Workflow != "SUPPRESSED" || s.RecordState != "ACTIVE" {
		t.Errorf("Security Hub shows %+v, want SUPPRESSED", s)
	}
	if r := e.record(id); r.Workflow != state.WorkflowSuppressed {
		t.Errorf("record workflow %q, want SUPPRESSED once the update was accepted", r.Workflow)
	}
}
