package sweep_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/ecsaudit/ecsaudit/internal/source"
	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/sweep"
)

const privileged = "ACTIVE FAILED task.privileged-container"

// TestAllModeDescribesOnlyWhatIsNew sweeps every ACTIVE revision: the first sweep describes each once (listing in
// pages), the second describes nothing and publishes nothing, and after one new revision the third describes that one.
func TestAllModeDescribesOnlyWhatIsNew(t *testing.T) {
	t0 := time.Now()
	e := newEnv(t)
	t.Logf("TIMING env %v", time.Since(t0))
	e.repo("web", false)
	digest := e.push("web", "1.0", 1)
	var arns []string
	for f := range 4 {
		for range 3 {
			arns = append(arns, e.register("fam"+string(rune('a'+f)), image("web", ":1.0"), f == 0))
		}
	}
	t.Logf("TIMING seeded %v", time.Since(t0))
	sw := e.sweeper(sweep.Options{Mode: sweep.ModeAll})
	res := e.run(sw)
	t.Logf("TIMING swept %v", time.Since(t0))
	if got := e.describes(); got != 12 {
		t.Fatalf("first sweep: %d describes for 12 revisions", got)
	}
	// 12 revisions at 5 a page: three pages.
	if got := e.throttle.Calls("ecs:ListTaskDefinitions"); got != 3 {
		t.Errorf("first sweep listed in %d calls, want 3 pages of 5", got)
	}
	if res.Total.Described != 12 || res.Total.New != 12 || res.Total.InScope != 12 || !res.Done {
		t.Errorf("stats %+v", res.Total)
	}
	if got := e.findings(arns[0]); !contains(got, privileged) {
		t.Errorf("the privileged revision's findings: %v", got)
	}
	if got := e.findings(arns[5]); len(got) != 0 {
		t.Errorf("a clean revision has no finding records, got %v", got)
	}
	if got := len(e.records(state.KindRevision)); got != 12 {
		t.Errorf("%d revision records, want 12", got)
	}
	users, err := (&state.ImageIndex{DB: e.ddb, Table: table}).Users(context.Background(), digest)
	if err != nil || len(users) != 12 {
		t.Errorf("image-use index: %d users of the image, want 12 (%v)", len(users), err)
	}

	e.sink.published = nil
	res = e.run(sw)
	if got := e.describes(); got != 12 {
		t.Errorf("unchanged sweep described %d revisions", got-12)
	}
	if res.Stats.Reused != 12 || res.Stats.Described != 0 {
		t.Errorf("unchanged sweep stats %+v", res.Stats)
	}
	if len(e.sink.published) != 0 {
		t.Errorf("unchanged sweep published %v: nothing changed", e.sink.published)
	}

	newest := e.register("famb", image("web", ":1.0"), true)
	e.run(sw)
	if got := e.describes() - 12; got != 1 {
		t.Errorf("after one new revision the sweep described %d", got)
	}
	if got := e.findings(newest); !contains(got, privileged) {
		t.Errorf("the new revision's findings: %v", got)
	}
	if got := e.findings(arns[0]); !contains(got, privileged) {
		t.Errorf("all mode keeps older revisions' findings: %v", got)
	}
}

// TestLatestModeArchivesSupersededRevisions keeps only the highest ACTIVE revision of each family in scope.
func TestLatestModeArchivesSupersededRevisions(t *testing.T) {
	e := newEnv(t)
	e.repo("web", false)
	e.push("web", "1.0", 1)
	old1 := e.register("web", image("web", ":1.0"), true)
	old2 := e.register("web", image("web", ":1.0"), true)
	sw := e.sweeper(sweep.Options{})
	e.run(sw)
	if got := e.describes(); got != 1 {
		t.Fatalf("latest mode described %d revisions of one family", got)
	}
	if e.findings(old1) != nil || !contains(e.findings(old2), privileged) {
		t.Fatalf("only web:2 is audited: web:1 %v, web:2 %v", e.findings(old1), e.findings(old2))
	}
	clean := e.register("web", image("web", ":1.0"), false)
	e.run(sw)
	if got := e.findings(old2); !contains(got, "ARCHIVED FAILED task.privileged-container") {
		t.Errorf("the superseded revision's findings are archived: %v", got)
	}
	if recs := e.records(state.KindRevision); recs[old2] != nil || recs[clean] == nil {
		t.Errorf("records: superseded kept %v, latest missing %v", recs[old2] != nil, recs[clean] == nil)
	}
	// Deregistering the latest makes web:2 the latest ACTIVE again: described again, its findings re-opened.
	e.deregister(clean)
	before := e.describes()
	e.run(sw)
	if got := e.describes() - before; got != 1 {
		t.Errorf("after deregistering the latest, %d describes, want 1 (web:2)", got)
	}
	if got := e.findings(old2); !contains(got, privileged) {
		t.Errorf("web:2 is in scope again: %v", got)
	}
}

// TestImageScanChangeRedescribesOnlyItsUsers: a scan that completes changes the image-dependent results of the
// revisions running the image, and only those are described again; the image's own finding is published.
func TestImageScanChangeRedescribesOnlyItsUsers(t *testing.T) {
	e := newEnv(t)
	e.repo("web", true)
	d1 := e.push("web", "1.0", 1)
	e.push("web", "2.0", 2)
	a := e.register("a", image("web", ":1.0"), false)
	b := e.register("b", image("web", "@"+d1), false)
	c := e.register("c", image("web", ":2.0"), false)
	sw := e.sweeper(sweep.Options{})
	e.run(sw)
	if e.describes() != 3 {
		t.Fatalf("first sweep: %d describes", e.describes())
	}
	// The emulator answers DescribeImageScanFindings with a HIGH finding once a scan was started.
	e.scan("web", d1)
	res := e.run(sw)
	if got := e.describes() - 3; got != 2 || res.Stats.ImageChanged != 2 {
		t.Fatalf("after the scan of the image run by a and b: %d describes, %d image changes", got, res.Stats.ImageChanged)
	}
	for _, arn := range []string{a, b} {
		if got := e.findings(arn); !contains(got, "ACTIVE FAILED task.vulnerable-image") {
			t.Errorf("%s runs the vulnerable image: %v", arn, got)
		}
	}
	if got := e.findings(c); len(got) != 0 {
		t.Errorf("c runs another image: %v", got)
	}
	imageARN := "arn:aws:ecr:" + region + ":" + account + ":repository/web/" + d1
	if got := e.findings(imageARN); !contains(got, "ACTIVE FAILED image.vulnerabilities") {
		t.Errorf("the image's own finding: %v", got)
	}
	e.run(sw)
	if got := e.describes() - 5; got != 0 {
		t.Errorf("nothing changed since: %d describes", got)
	}
	// Moving the tag 2.0 to a new image changes what c runs: c is described again, and the index follows.
	d3 := e.push("web", "2.0", 3)
	e.run(sw)
	if got := e.describes() - 5; got != 1 {
		t.Errorf("after the tag moved, %d describes, want 1 (c)", got)
	}
	users, err := (&state.ImageIndex{DB: e.ddb, Table: table}).Users(context.Background(), d3)
	if err != nil || len(users) != 1 || users[0] != c {
		t.Errorf("index users of the new image: %v %v", users, err)
	}
}

// TestPacedSweepIsNeverThrottled runs against AWS's own ECS limit (20 calls per second, burst 50) in the throttle:
// at half of it the sweep is never refused; with the pacing lifted and a tight limit it is refused, retries, and
// still describes everything.
func TestPacedSweepIsNeverThrottled(t *testing.T) {
	e := newEnv(t)
	e.throttle.Limit(sweep.ECSRate, sweep.ECSBurst, "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions", "ecs:ListTaskDefinitionFamilies")
	for i := range 70 {
		e.register("f"+string(rune('a'+i%26))+string(rune('a'+i/26)), "nginx:1.27", false)
	}
	start := time.Now()
	res := e.run(e.sweeper(sweep.Options{Mode: sweep.ModeAll, PaceShare: 0.5, Concurrency: 8}))
	if n := e.throttle.Throttled("ecs:DescribeTaskDefinition") + e.throttle.Throttled("ecs:ListTaskDefinitions"); n != 0 {
		t.Errorf("paced at half the limit, %d calls were throttled", n)
	}
	if res.Total.Described != 70 {
		t.Errorf("described %d of 70", res.Total.Described)
	}
	// 70 describes and 14 list pages at 10 per second after a burst of 25: at least 5.9 s.
	if d := time.Since(start); d < 5*time.Second {
		t.Errorf("the sweep took %v: faster than its share of the limit allows", d)
	}

	e2 := newEnv(t)
	e2.throttle.Limit(10, 5, "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions")
	for i := range 30 {
		e2.register("g"+string(rune('a'+i%26))+string(rune('a'+i/26)), "nginx:1.27", false)
	}
	// Four callers against 10 per second: a call can be refused many times in a row, so give it many attempts.
	sw := e2.sweeper(sweep.Options{Mode: sweep.ModeAll, Unpaced: true, Concurrency: 4,
		Retry: source.Retry{MaxAttempts: 40, Base: 20 * time.Millisecond, Cap: 400 * time.Millisecond}})
	res = e2.run(sw)
	if e2.throttle.Throttled("ecs:DescribeTaskDefinition") == 0 {
		t.Fatal("unpaced against a limit of 10/s: expected some throttling")
	}
	if res.Total.Described != 30 || res.Total.NotAvailable != 0 || sw.Metrics.Get("Retries") == 0 {
		t.Errorf("throttled calls are retried until they succeed: %+v, retries %v", res.Total, sw.Metrics.Get("Retries"))
	}
}

// TestDescribeFailureIsNotAvailableNeverPassedNorDeleted: a revision that cannot be described keeps its findings
// and record, is reported NOT_AVAILABLE, and is archived only once a listing no longer shows it.
func TestDescribeFailureIsNotAvailableNeverPassedNorDeleted(t *testing.T) {
	e := newEnv(t)
	bad := e.register("bad", "nginx:1.27", true)
	good := e.register("good", "nginx:1.27", true)
	sw := e.sweeper(sweep.Options{})
	e.run(sw)
	before := e.records(state.KindRevision)[bad]
	if before == nil || !contains(e.findings(bad), privileged) {
		t.Fatal("first sweep did not record the revision")
	}
	// A new catalog version makes every revision due. bad's describe now fails: first with server errors through
	// every retry, then with the ClientException AWS gives for a revision it cannot describe (also for a deleted one).
	sw2 := e.sweeper(sweep.Options{Version: "test-2"})
	e.throttle.Fail("ecs:DescribeTaskDefinition", bad, "ServerException", 1000)
	res, err := sw2.Run(context.Background(), []sweep.Target{e.target()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total.NotAvailable != 1 || len(res.Unavailable) != 1 || res.Unavailable[0].ID != bad {
		t.Fatalf("want bad NOT_AVAILABLE: %+v %+v", res.Total, res.Unavailable)
	}
	if got := e.findings(bad); !contains(got, privileged) {
		t.Errorf("a revision that could not be described keeps its open findings: %v", got)
	}
	if rec := e.records(state.KindRevision)[bad]; rec == nil || rec.Catalog != before.Catalog {
		t.Errorf("its record is left as it was, to be described next sweep: %+v", rec)
	}
	if rec := e.records(state.KindRevision)[good]; rec == nil || rec.Catalog == before.Catalog {
		t.Errorf("the other revision was described under the new catalog: %+v", rec)
	}

	e.throttle.Fail("ecs:DescribeTaskDefinition", bad, "ClientException", 1000)
	res = e.run(sw2)
	if res.Total.NotAvailable != 1 || contains(e.sink.archived, bad) {
		t.Errorf("listed but not describable: not available, never archived (%+v, archived %v)", res.Total, e.sink.archived)
	}
	if got := e.findings(bad); !contains(got, privileged) {
		t.Errorf("findings after a ClientException: %v", got)
	}

	// Deregistered: the listing no longer shows it, so now it is gone.
	e.deregister(bad)
	e.run(sw2)
	if got := e.findings(bad); !contains(got, "ARCHIVED FAILED task.privileged-container") {
		t.Errorf("a deregistered revision's findings are archived: %v", got)
	}
	if e.records(state.KindRevision)[bad] != nil {
		t.Error("a deregistered revision's record is removed")
	}
}

// recordingContinuer counts continuation requests.
type recordingContinuer struct{ n int }

func (c *recordingContinuer) Continue(context.Context) error { c.n++; return nil }

// TestForcedBudgetContinuesWithoutLostOrRepeatedWork cuts a sweep into one chunk per invocation: every revision is
// described exactly once, every invocation but the last asks for a continuation, and the result is the same as one
// long invocation's.
func TestForcedBudgetContinuesWithoutLostOrRepeatedWork(t *testing.T) {
	e := newEnv(t)
	var arns []string
	for i := range 23 {
		arns = append(arns, e.register("f"+string(rune('a'+i)), "nginx:1.27", i%4 == 0))
	}
	cont := &recordingContinuer{}
	sw := e.sweeper(sweep.Options{Mode: sweep.ModeAll, ChunkSize: 5, Budget: time.Nanosecond})
	sw.Continue = cont
	sw.Now = time.Now
	invocations := 0
	var res sweep.Result
	for !res.Done {
		var err error
		if res, err = sw.Run(context.Background(), []sweep.Target{e.target()}); err != nil {
			t.Fatal(err)
		}
		invocations++
		if invocations > 20 {
			t.Fatal("no end")
		}
		if !res.Done && !res.Continued {
			t.Fatalf("invocation %d stopped without asking for a continuation: %+v", invocations, res)
		}
	}
	// Five chunks of at most five revisions, then the registry, repositories and images.
	if invocations != 6 || cont.n != 5 || res.Invocations != 6 {
		t.Errorf("%d invocations, %d continuations, result says %d", invocations, cont.n, res.Invocations)
	}
	if got := e.describes(); got != 23 {
		t.Errorf("%d describes for 23 revisions across invocations", got)
	}
	if res.Total.Described != 23 || res.Total.InScope != 23 {
		t.Errorf("totals across invocations %+v", res.Total)
	}
	for i, arn := range arns {
		if got := e.findings(arn); (i%4 == 0) != contains(got, privileged) {
			t.Errorf("%s: %v", arn, got)
		}
	}
	if got := len(e.records(state.KindRevision)); got != 23 {
		t.Errorf("%d records", got)
	}
	// The next sweep starts over (a new sweep ID) and describes nothing.
	res = e.run(sw)
	if e.describes() != 23 || res.Total.Reused != 23 {
		t.Errorf("the following sweep: %d describes, %+v", e.describes()-23, res.Total)
	}
}

// TestLeaseKeepsASecondInvocationOut: while another invocation holds the lease, a sweep does nothing.
func TestLeaseKeepsASecondInvocationOut(t *testing.T) {
	e := newEnv(t)
	e.register("web", "nginx:1.27", false)
	store := &state.Sweeps{DB: e.ddb, Table: table}
	ctx := context.Background()
	key := "SWEEP#" + account + "#" + region
	if _, err := store.Claim(ctx, key, "other", e.now.Add(time.Minute), e.now); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Claim(ctx, key, "third", e.now.Add(time.Minute), e.now); !errors.Is(err, state.ErrBusy) {
		t.Fatalf("a held lease: want ErrBusy, got %v", err)
	}
	sw := e.sweeper(sweep.Options{})
	res, err := sw.Run(ctx, []sweep.Target{e.target()})
	if err != nil || !res.Busy || e.describes() != 0 {
		t.Fatalf("want a busy no-op: %+v %v, %d describes", res, err, e.describes())
	}
	// Once the lease has run out, the next invocation takes over.
	e.now = e.now.Add(2 * time.Minute)
	if res := e.run(sw); !res.Done || e.describes() != 1 {
		t.Errorf("after the lease expired: %+v, %d describes", res, e.describes())
	}
	// A stale owner cannot write over the new one's checkpoint.
	cp, err := store.Claim(ctx, key, "late", e.now.Add(time.Minute), e.now)
	if err != nil {
		t.Fatal(err)
	}
	stale := *cp
	stale.Version--
	if err := store.Save(ctx, &stale); !errors.Is(err, state.ErrLeaseLost) {
		t.Errorf("a write from an outdated checkpoint: want ErrLeaseLost, got %v", err)
	}
}

// TestMemberAccountFindingsGoToTheirOwnSecurityHub sweeps a second account through an assumed role: its findings
// are imported under that role into its own Security Hub, named for its own account, and not into the sweeper's.
func TestMemberAccountFindingsGoToTheirOwnSecurityHub(t *testing.T) {
	e := newEnv(t)
	const member = "222233334444"
	memberCfg := source.AssumeRole(e.cfg, sweep.RoleARN("aws", member, sweep.DefaultMemberRole), "")
	ctx := context.Background()
	if _, err := securityhub.NewFromConfig(memberCfg).EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}
	reg, err := ecs.NewFromConfig(memberCfg).RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("payments"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx:1.27"),
			Memory: aws.Int32(256), Privileged: aws.Bool(true)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	memberARN := aws.ToString(reg.TaskDefinition.TaskDefinitionArn)
	if !strings.Contains(memberARN, ":"+member+":") {
		t.Fatalf("the emulator registered %s outside the member account", memberARN)
	}
	homeARN := e.register("web", "nginx:1.27", true)
	members := sweep.Members{Accounts: []string{member}, Base: e.cfg,
		Sink: func(acct string, cfg aws.Config) (sweep.Sink, error) { return e.hub(cfg, acct), nil }}
	targets, err := members.Targets()
	if err != nil {
		t.Fatal(err)
	}
	before := e.throttle.CallCounts()
	res := e.run(e.sweeper(sweep.Options{}), append([]sweep.Target{e.target()}, targets...)...)
	after := e.throttle.CallCounts()
	if res.Total.Described != 2 {
		t.Errorf("described %d revisions in two accounts", res.Total.Described)
	}
	ids := func(cfg aws.Config) map[string]string {
		out, err := securityhub.NewFromConfig(cfg).GetFindings(ctx, &securityhub.GetFindingsInput{MaxResults: aws.Int32(100)})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, f := range out.Findings {
			m[aws.ToString(f.Resources[0].Id)] = aws.ToString(f.AwsAccountId)
		}
		return m
	}
	home, other := ids(e.cfg), ids(memberCfg)
	if other[memberARN] != member || home[memberARN] != "" {
		t.Errorf("the member's finding belongs in its own hub: member hub %v, home hub %v", other, home)
	}
	if home[homeARN] != account || other[homeARN] != "" {
		t.Errorf("the home finding belongs in the home hub: home %v, member %v", home, other)
	}
	recs, err := (&state.Sweeps{DB: e.ddb, Table: table}).Records(ctx, state.KindRevision, member, region)
	if err != nil || recs[memberARN] == nil {
		t.Errorf("the member's revision record: %v %v", recs, err)
	}
	// Every call the sweep made in the accounts (the state table and STS are the sweeper's own) is allowed by the
	// member role that infra/member-role.yaml deploys, and that template is valid CloudFormation.
	role, err := os.ReadFile(filepath.Join("..", "..", "infra", "member-role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for api, n := range after {
		if n == before[api] || strings.HasPrefix(api, "dynamodb:") || strings.HasPrefix(api, "sts:") {
			continue
		}
		checked++
		if !strings.Contains(string(role), "- "+api+"\n") && !strings.Contains(string(role), "Action: "+api+"\n") {
			t.Errorf("the member role does not allow %s, which the sweep calls", api)
		}
	}
	if checked < 5 {
		t.Errorf("only %d APIs checked against the member role: %v", checked, after)
	}
	if out, err := exec.Command("cfn-lint", filepath.Join("..", "..", "infra", "member-role.yaml")).CombinedOutput(); err != nil {
		t.Errorf("cfn-lint infra/member-role.yaml (install it with make deps): %v\n%s", err, out)
	}
}

// TestUnreadableImagesAreNotArchived: an image leaves the scope when the revision running it goes, but while the
// images cannot be read the sweep cannot know which are in scope, so it archives none of them (and still archives
// the revision, which the listing proves gone).
func TestUnreadableImagesAreNotArchived(t *testing.T) {
	e := newEnv(t)
	e.repo("web", true)
	d1 := e.push("web", "1.0", 1)
	e.push("web", "2.0", 2)
	e.scan("web", d1)
	a := e.register("a", image("web", "@"+d1), false)
	e.register("b", image("web", ":2.0"), false)
	sw := e.sweeper(sweep.Options{})
	e.run(sw)
	imageARN := "arn:aws:ecr:" + region + ":" + account + ":repository/web/" + d1
	if got := e.findings(imageARN); !contains(got, "ACTIVE FAILED image.vulnerabilities") {
		t.Fatalf("the vulnerable image run by a: %v", got)
	}
	e.deregister(a)
	e.throttle.Fail("ecr:DescribeImages", `"web"`, "AccessDeniedException", 1000)
	if _, err := sw.Run(context.Background(), []sweep.Target{e.target()}); err == nil {
		t.Error("a sweep that could not read the images reports it")
	}
	if got := e.findings(imageARN); !contains(got, "ACTIVE FAILED image.vulnerabilities") {
		t.Errorf("unread images are not archived: %v", got)
	}
	if got := e.findings(a); contains(got, "ACTIVE FAILED task.vulnerable-image") {
		t.Errorf("the deregistered revision is archived all the same: %v", got)
	}
	e.throttle.ClearFailures()
	e.run(sw)
	if got := e.findings(imageARN); !contains(got, "ARCHIVED FAILED image.vulnerabilities") {
		t.Errorf("once readable, the image out of scope is archived: %v", got)
	}
}

// A repository policy made public without an event (the listing shows no change) is found by the next sweep's
// drift re-read, within its ECR call budget; with no budget it is not, and an unchanged re-read publishes nothing.
func TestDriftRepairedWithinTheCallBudget(t *testing.T) {
	e := newEnv(t)
	e.repo("web", false)
	e.repo("api", false)
	repoARN := func(name string) string { return "arn:aws:ecr:" + region + ":" + account + ":repository/" + name }
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]}`
	e.run(e.sweeper(sweep.Options{Mode: sweep.ModeAll}))
	policies := e.throttle.Calls("ecr:GetRepositoryPolicy")

	// An unchanged re-read costs its calls and publishes nothing.
	e.sink.published = nil
	res := e.run(e.sweeper(sweep.Options{Mode: sweep.ModeAll}))
	if res.Total.DriftChecked != 2 || res.Total.DriftFound != 0 || len(e.sink.published) != 0 {
		t.Fatalf("unchanged drift check: stats %+v, published %v", res.Total, e.sink.published)
	}
	if got := e.throttle.Calls("ecr:GetRepositoryPolicy") - policies; got != 2 {
		t.Errorf("drift check read %d repository policies, want 2", got)
	}

	if _, err := ecr.NewFromConfig(e.cfg).SetRepositoryPolicy(context.Background(), &ecr.SetRepositoryPolicyInput{
		RepositoryName: aws.String("web"), PolicyText: aws.String(public)}); err != nil {
		t.Fatal(err)
	}
	e.run(e.sweeper(sweep.Options{Mode: sweep.ModeAll, DriftCalls: -1}))
	if got := e.findings(repoARN("web")); contains(got, "ACTIVE FAILED repo.public-policy") {
		t.Fatalf("found without a drift budget: %v", got)
	}
	// A budget of one repository re-reads the one audited longest ago first.
	policies = e.throttle.Calls("ecr:GetRepositoryPolicy")
	res = e.run(e.sweeper(sweep.Options{Mode: sweep.ModeAll, DriftCalls: 3}))
	if got := e.throttle.Calls("ecr:GetRepositoryPolicy") - policies; got != 1 || res.Total.DriftChecked != 1 {
		t.Errorf("budget of 3 calls: %d policies read, stats %+v", got, res.Total)
	}
	res2 := e.run(e.sweeper(sweep.Options{Mode: sweep.ModeAll, DriftCalls: 3}))
	if res.Total.DriftFound+res2.Total.DriftFound != 1 {
		t.Errorf("drift found %d then %d, want the one change once", res.Total.DriftFound, res2.Total.DriftFound)
	}
	if got := e.findings(repoARN("web")); !contains(got, "ACTIVE FAILED repo.public-policy") {
		t.Errorf("the public policy's finding after two drift checks: %v", got)
	}
}
