package races_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsaudit/ecsaudit/internal/asff"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/lambdafn"
	"github.com/ecsaudit/ecsaudit/internal/testenv/demo"
	"github.com/ecsaudit/ecsaudit/internal/testenv/races"
)

// full reports whether every scenario runs (make test-races, which sets ECSAUDIT_RACES); otherwise a short form
// runs the scenarios of defects 1, 2, 3 and 7, and -short none.
func full() bool { return os.Getenv("ECSAUDIT_RACES") != "" }

const (
	repoARN      = "arn:aws:ecr:" + demo.Region + ":" + demo.Account + ":repository/web"
	publicPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Anyone","Effect":"Allow","Principal":"*","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}`
)

var productARN = asff.ProductARN("aws", demo.Region, demo.Account)

func (w *world) setPolicy(text string) {
	w.t.Helper()
	c := ecr.NewFromConfig(w.e.Config)
	var err error
	if text == "" {
		_, err = c.DeleteRepositoryPolicy(w.ctx, &ecr.DeleteRepositoryPolicyInput{RepositoryName: aws.String("web")})
	} else {
		_, err = c.SetRepositoryPolicy(w.ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String("web"), PolicyText: aws.String(text)})
	}
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) deregister(arn string) {
	w.t.Helper()
	if _, err := ecs.NewFromConfig(w.e.Config).DeregisterTaskDefinition(w.ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(arn)}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) deleteRevision(arn string) {
	w.t.Helper()
	if _, err := ecs.NewFromConfig(w.e.Config).DeleteTaskDefinitions(w.ctx, &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: []string{arn}}); err != nil {
		w.t.Fatal(err)
	}
}

// revisionEvent is a sample ECS event edited to name arn's revision instead of the sample's.
func (w *world) revisionEvent(file, arn string) []byte {
	name := arn[strings.LastIndex(arn, "/")+1:]
	return w.event(file, "task-definition/web:7", "task-definition/"+name, `"web:7"`, `"`+name+`"`, `"web:6"`, `"`+name+`"`,
		"task-definition/web:6", "task-definition/"+name)
}

// expectNoneOpen checks that no finding of the resource is ACTIVE and FAILED in Security Hub, that the state agrees
// with Security Hub on each, and that none of them was announced unless allowed.
func (w *world) expectNoneOpen(resource string) {
	w.t.Helper()
	x := map[string]want{}
	for id, f := range w.findings() {
		if len(f.Resources) == 0 || aws.ToString(f.Resources[0].Id) != resource {
			continue
		}
		if f.RecordState == "ACTIVE" && f.Compliance != nil && f.Compliance.Status == "FAILED" {
			w.count(func() { tally.stale++ })
			w.t.Errorf("%s is open in Security Hub, but %s is gone", id, resource)
			continue
		}
		comp := ""
		if f.Compliance != nil {
			comp = string(f.Compliance.Status)
		}
		x[id] = want{string(f.RecordState), comp}
	}
	w.expect(x)
}

// openOf returns the Ids of the open findings of a resource, with the given generator (rule) when not empty.
func (w *world) openOf(resource, rule string) []string {
	var out []string
	for id, f := range w.findings() {
		if len(f.Resources) > 0 && aws.ToString(f.Resources[0].Id) == resource && f.RecordState == "ACTIVE" &&
			f.Compliance != nil && f.Compliance.Status == "FAILED" && (rule == "" || aws.ToString(f.GeneratorId) == rule) {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// imageFinding is the Id of the open vulnerability finding of the demo's image, or "" when there is none.
func (w *world) imageFinding() string {
	for id, f := range w.findings() {
		if aws.ToString(f.GeneratorId) == "image.vulnerabilities" && f.RecordState == "ACTIVE" {
			return id
		}
	}
	return ""
}

// Defect 1: an invocation that read the repository before its policy became public publishes its PASSED after
// another invocation opened the CRITICAL finding. The stale pass must not resolve it.
func TestDefect1StalePassDoesNotResolvePublicRepository(t *testing.T) {
	scenario(t, "stale pass held until a newer failure is published", func(w *world) {
		w.apply("ecr-create-repository.json")
		a, b := w.instance("A", "EcrAuditor"), w.instance("B", "EcrAuditor")
		held := w.gate.Add("A", "dynamodb:BatchGetItem", "", races.Hold, 1)
		done := make(chan error, 1)
		go func() { done <- w.deliver(a, w.event("ecr-set-repository-policy.json")) }()
		w.await(held, "A's read of the finding state")
		w.setPolicy(publicPolicy)
		if err := w.deliver(b, w.event("ecr-set-repository-policy.json")); err != nil {
			t.Fatal(err)
		}
		held.Release()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		id := engine.FindingID("repo.public-policy", repoARN, "")
		w.expect(map[string]want{id: {"ACTIVE", "FAILED"}})
		w.expectAnnounced(id)
	})
}

// Defect 3: Security Hub and the state must not disagree. The finding is open; A reads the repository while its
// policy is briefly removed and is held at its import; B reads it public again (nothing to send); A's older pass
// must not stand in Security Hub, and a later real fix must still be sent.
func TestDefect3StateAndSecurityHubAgree(t *testing.T) {
	scenario(t, "an older pass imported after a newer unchanged failure", func(w *world) {
		w.apply("ecr-create-repository.json")
		a, b, c := w.instance("A", "EcrAuditor"), w.instance("B", "EcrAuditor"), w.instance("C", "EcrAuditor")
		raw := w.event("ecr-set-repository-policy.json")
		w.setPolicy(publicPolicy)
		if err := w.deliver(c, raw); err != nil {
			t.Fatal(err)
		}
		id := engine.FindingID("repo.public-policy", repoARN, "")
		w.setPolicy("")
		held := w.gate.Add("A", "securityhub:BatchImportFindings", "", races.Hold, 1)
		done := make(chan error, 1)
		go func() { done <- w.deliver(a, raw) }()
		w.await(held, "A's import of the pass")
		w.setPolicy(publicPolicy)
		if err := w.deliver(b, raw); err != nil {
			t.Fatal(err)
		}
		held.Release()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		w.expect(map[string]want{id: {"ACTIVE", "FAILED"}})
		// The real fix.
		w.setPolicy("")
		if err := w.deliver(c, raw); err != nil {
			t.Fatal(err)
		}
		w.expect(map[string]want{id: {"ARCHIVED", "PASSED"}})
		w.expectAnnounced(id)
	})
}

// Defect 2: two revisions running one newly scanned image, registered in parallel: the image's finding is announced
// in one message, whichever invocation wins.
func TestDefect2OneAnnouncementForParallelInvocations(t *testing.T) {
	scenario(t, "two registrations sharing an image announce it once", func(w *world) {
		w.apply("ecr-create-repository.json", "ecr-image-action-push.json", "ecr-image-scan.json")
		one, two := w.registerPlanted("shop"), w.registerPlanted("cart")
		a, b := w.instance("A", "TaskDefinitionAuditor"), w.instance("B", "TaskDefinitionAuditor")
		// Both hold their import until both arrived: they decide on the same (empty) state.
		ha := w.gate.Add("A", "securityhub:BatchImportFindings", "", races.Hold, 1)
		hb := w.gate.Add("B", "securityhub:BatchImportFindings", "", races.Hold, 1)
		go func() {
			w.await(ha, "A's import")
			w.await(hb, "B's import")
			ha.Release()
			hb.Release()
		}()
		w.parallel([]*lambdafn.Function{a, b}, [][]byte{
			w.revisionEvent("ecs-register-task-definition.json", one), w.revisionEvent("ecs-register-task-definition.json", two),
		})
		img := w.imageFinding()
		if img == "" {
			w.count(func() { tally.lost++ })
			t.Fatal("no open finding about the scanned image")
		}
		ids := append(append([]string{img}, w.openOf(one, "task.privileged-container")...), w.openOf(two, "task.privileged-container")...)
		x := map[string]want{}
		for _, id := range ids {
			x[id] = want{"ACTIVE", "FAILED"}
		}
		w.expect(x)
		w.expectAnnounced(ids...)
	})
}

// Defect 5: the sweep's lease write is applied but its answer lost; the SDK's retry must recognise the lease as
// its own, and the sweep publish.
func TestDefect5LostLeaseAnswer(t *testing.T) {
	if !full() {
		t.Skip("set ECSAUDIT_RACES=1 (make test-races)")
	}
	scenario(t, "lease write applied, answer lost", func(w *world) {
		s := w.instance("S", "Sweeper")
		w.gate.Add("S", "dynamodb:PutItem", "writeId", races.ApplyThenFail, 1)
		if err := w.deliver(s, w.event("scheduled-sweep.json")); err != nil {
			t.Fatal(err)
		}
		legacy := "arn:aws:ecr:" + demo.Region + ":" + demo.Account + ":repository/legacy"
		open := w.openOf(legacy, "")
		if len(open) == 0 {
			w.count(func() { tally.lost++ })
			t.Fatal("the sweep published nothing about the legacy repository")
		}
		x := map[string]want{}
		for _, id := range open {
			x[id] = want{"ACTIVE", "FAILED"}
		}
		w.expect(x)
	})
}

// Defect 6: the state write fails after Security Hub accepted the import; the retry on another instance must keep
// CreatedAt and FirstObservedAt.
func TestDefect6CreatedAtSurvivesFailedStateWrite(t *testing.T) {
	if !full() {
		t.Skip("set ECSAUDIT_RACES=1 (make test-races)")
	}
	scenario(t, "record write fails after the import, retried elsewhere", func(w *world) {
		w.apply("ecr-create-repository.json", "ecr-image-action-push.json", "ecr-image-scan.json")
		arn := w.registerPlanted("shop")
		a, b := w.instance("A", "TaskDefinitionAuditor"), w.instance("B", "TaskDefinitionAuditor")
		w.gate.Add("A", "dynamodb:UpdateItem", `"observedAt"`, races.Fail, 0)
		raw := w.revisionEvent("ecs-register-task-definition.json", arn)
		if err := a.Handle(w.ctx, raw); err == nil {
			t.Fatal("want A's invocation to fail on its state write")
		}
		if err := w.deliver(b, raw); err != nil {
			t.Fatal(err)
		}
		open := w.openOf(arn, "")
		if len(open) == 0 {
			w.count(func() { tally.lost++ })
			t.Fatal("no open finding of the revision")
		}
		x := map[string]want{}
		for _, id := range open {
			x[id] = want{"ACTIVE", "FAILED"}
			seen := map[string]bool{}
			for _, c := range w.e.Shim.CreatedAts(productARN, id) {
				seen[c] = true
			}
			if len(seen) != 1 {
				w.count(func() { tally.stale++ })
				t.Errorf("%s imported with CreatedAt %v, want one value", id, seen)
			}
		}
		w.expect(x)
		w.expectAnnounced(open...)
	})
}

// Defect 7: a Register invocation read the revision ACTIVE and publishes after the Deregister invocation archived
// its findings: the revision must not re-open.
func TestDefect7DeregisteredRevisionStaysArchived(t *testing.T) {
	scenario(t, "register read held past the deregistration", func(w *world) {
		w.apply("ecr-create-repository.json", "ecr-image-action-push.json", "ecr-image-scan.json")
		arn := w.registerPlanted("shop")
		a, b := w.instance("A", "TaskDefinitionAuditor"), w.instance("B", "TaskDefinitionAuditor")
		held := w.gate.Add("A", "dynamodb:BatchGetItem", "", races.Hold, 1)
		done := make(chan error, 1)
		go func() { done <- w.deliver(a, w.revisionEvent("ecs-register-task-definition.json", arn)) }()
		w.await(held, "A's read of the finding state")
		w.deregister(arn)
		if err := w.deliver(b, w.revisionEvent("ecs-deregister-task-definition.json", arn)); err != nil {
			t.Fatal(err)
		}
		held.Release()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		w.expectNoneOpen(arn)
	})
}

// The three events of a revision's life delivered in every order (each by its own instance), after all three calls
// were made: none of its findings ends open.
func TestRegisterDeregisterDeleteInEveryOrder(t *testing.T) {
	events := []string{"ecs-register-task-definition.json", "ecs-deregister-task-definition.json", "ecs-delete-task-definitions.json"}
	orders := [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
	if !full() {
		t.Skip("set ECSAUDIT_RACES=1 (make test-races)")
	}
	for _, o := range orders {
		var names []string
		for _, i := range o {
			names = append(names, strings.TrimSuffix(strings.TrimPrefix(events[i], "ecs-"), ".json"))
		}
		scenario(t, strings.Join(names, " then "), func(w *world) {
			w.apply("ecr-create-repository.json", "ecr-image-action-push.json", "ecr-image-scan.json")
			arn := w.registerPlanted("shop")
			w.deregister(arn)
			w.deleteRevision(arn)
			for n, i := range o {
				fn := w.instance(fmt.Sprint("I", n), "TaskDefinitionAuditor")
				if err := w.deliver(fn, w.revisionEvent(events[i], arn)); err != nil {
					t.Fatal(err)
				}
			}
			w.expectNoneOpen(arn)
		})
	}
	if full() {
		// And the registration's event first, its read racing the other two.
		scenario(t, "register read racing deregister and delete", func(w *world) {
			w.apply("ecr-create-repository.json", "ecr-image-action-push.json", "ecr-image-scan.json")
			arn := w.registerPlanted("shop")
			a, b, c := w.instance("A", "TaskDefinitionAuditor"), w.instance("B", "TaskDefinitionAuditor"), w.instance("C", "TaskDefinitionAuditor")
			held := w.gate.Add("A", "securityhub:BatchImportFindings", "", races.Hold, 1)
			done := make(chan error, 1)
			go func() { done <- w.deliver(a, w.revisionEvent(events[0], arn)) }()
			w.await(held, "A's import")
			w.deregister(arn)
			w.deleteRevision(arn)
			w.parallel([]*lambdafn.Function{b, c}, [][]byte{w.revisionEvent(events[2], arn), w.revisionEvent(events[1], arn)})
			held.Release()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			w.expectNoneOpen(arn)
		})
	}
}

// An image's scan-complete event before and after the registration of the revision that runs it: the same findings
// end open, each announced once.
func TestScanCompleteBeforeAndAfterRegister(t *testing.T) {
	for _, scanFirst := range []bool{true, false} {
		if !full() {
			t.Skip("set ECSAUDIT_RACES=1 (make test-races)")
		}
		name := "scan complete after register"
		if scanFirst {
			name = "scan complete before register"
		}
		scenario(t, name, func(w *world) {
			w.apply("ecr-create-repository.json", "ecr-image-action-push.json", "ecr-image-scan.json")
			arn := w.registerPlanted("shop")
			ecrFn, tdFn := w.instance("E", "EcrAuditor"), w.instance("T", "TaskDefinitionAuditor")
			steps := []func() error{
				func() error { return w.deliver(ecrFn, w.event("ecr-image-scan.json")) },
				func() error { return w.deliver(tdFn, w.revisionEvent("ecs-register-task-definition.json", arn)) },
			}
			if !scanFirst {
				steps[0], steps[1] = steps[1], steps[0]
			}
			for _, s := range steps {
				if err := s(); err != nil {
					t.Fatal(err)
				}
			}
			img := w.imageFinding()
			priv := w.openOf(arn, "task.privileged-container")
			if img == "" || len(priv) == 0 {
				w.count(func() { tally.lost++ })
				t.Fatalf("open image finding %q, privileged findings %v: want both", img, priv)
			}
			ids := append([]string{img}, priv...)
			x := map[string]want{}
			for _, id := range ids {
				x[id] = want{"ACTIVE", "FAILED"}
			}
			w.expect(x)
			w.expectAnnounced(ids...)
		})
	}
}

// A sweep chunk that read a revision ACTIVE is held at its import while the revision is deregistered and its event
// handled: the revision's findings end archived.
func TestSweepChunkRacingAnEvent(t *testing.T) {
	if !full() {
		t.Skip("set ECSAUDIT_RACES=1 (make test-races)")
	}
	scenario(t, "sweep import held past a deregistration", func(w *world) {
		w.apply("ecr-create-repository.json", "ecr-image-action-push.json", "ecr-image-scan.json")
		arn := w.registerPlanted("shop")
		s, b := w.instance("S", "Sweeper"), w.instance("B", "TaskDefinitionAuditor")
		held := w.gate.Add("S", "securityhub:BatchImportFindings", "shop", races.Hold, 1)
		done := make(chan error, 1)
		go func() { done <- w.deliver(s, w.event("scheduled-sweep.json")) }()
		w.await(held, "the sweep's import of the revision")
		w.deregister(arn)
		if err := w.deliver(b, w.revisionEvent("ecs-deregister-task-definition.json", arn)); err != nil {
			t.Fatal(err)
		}
		held.Release()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		w.expectNoneOpen(arn)
	})
}

// functionOf names the function EventBridge invokes for a sample event.
func functionOf(raw []byte) string {
	var ev struct {
		Source string `json:"source"`
	}
	_ = json.Unmarshal(raw, &ev)
	switch ev.Source {
	case "aws.ecs":
		return "TaskDefinitionAuditor"
	case "aws.events", "aws.scheduler":
		return "Sweeper"
	}
	return "EcrAuditor"
}

// story delivers the demo's steps, then every other sample event, each to copies instances of its function at once.
// It returns Security Hub's findings as "Id state/compliance/workflow" lines.
func (w *world) story(copies int) []string {
	w.t.Helper()
	fns := map[string][]*lambdafn.Function{}
	get := func(function string) []*lambdafn.Function {
		if fns[function] == nil {
			for i := range copies {
				fns[function] = append(fns[function], w.instance(fmt.Sprint(function, i), function))
			}
		}
		return fns[function]
	}
	send := func(raw []byte) {
		list := get(functionOf(raw))
		raws := make([][]byte, len(list))
		for i := range raws {
			raws[i] = raw
		}
		w.parallel(list, raws)
	}
	inStory := map[string]bool{}
	for _, s := range demo.Steps() {
		inStory[s.Event] = true
		if err := s.Apply(w.ctx, w.e); err != nil {
			w.t.Fatal(err)
		}
		send(w.event(s.Event))
	}
	files, err := filepath.Glob(filepath.Join(root(), "events", "*.json"))
	if err != nil {
		w.t.Fatal(err)
	}
	for _, f := range files {
		if !inStory[filepath.Base(f)] {
			send(w.event(filepath.Base(f)))
		}
	}
	var out []string
	for id, f := range w.findings() {
		comp, wf := "", ""
		if f.Compliance != nil {
			comp = string(f.Compliance.Status)
		}
		if f.Workflow != nil {
			wf = string(f.Workflow.Status)
		}
		out = append(out, fmt.Sprintf("%s %s/%s/%s", id, f.RecordState, comp, wf))
	}
	sort.Strings(out)
	return out
}

// Every sample event delivered twice at once (two instances) ends as one delivery does, with no finding announced
// twice.
func TestDuplicateDeliveryOfEverySampleEvent(t *testing.T) {
	if !full() {
		t.Skip("set ECSAUDIT_RACES=1 (make test-races)")
	}
	var once []string
	var onceAnnounced map[string]int
	var mu sync.Mutex
	t.Run("reference: each event once", func(t *testing.T) {
		w := newWorld(t)
		once = w.story(1)
		onceAnnounced = w.announced()
	})
	scenario(t, "each event twice at once", func(w *world) {
		twice := w.story(2)
		mu.Lock()
		defer mu.Unlock()
		if strings.Join(twice, "\n") != strings.Join(once, "\n") {
			w.count(func() { tally.stale++ })
			t.Errorf("findings after duplicate deliveries:\n%s\nafter single ones:\n%s", strings.Join(twice, "\n"), strings.Join(once, "\n"))
		}
		// A finding may be announced more than once in the story itself (archived by a delete event, re-opened by a
		// later scan event: two transitions); a duplicate delivery must not add any announcement.
		twiceAnnounced := w.announced()
		for id, n := range twiceAnnounced {
			if n > onceAnnounced[id] {
				w.count(func() { tally.duplicated++ })
				t.Errorf("%s announced %d times, %d with single deliveries", id, n, onceAnnounced[id])
			}
		}
		for id, n := range onceAnnounced {
			if twiceAnnounced[id] < n {
				w.count(func() { tally.lost++ })
				t.Errorf("%s announced %d times, %d with single deliveries", id, twiceAnnounced[id], n)
			}
		}
	})
}
