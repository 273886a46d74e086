package sweep

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/rules/taskdef"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

var testNow = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

const (
	ecrImage  = "111122223333.dkr.ecr.us-east-1.amazonaws.com/web:1.0"
	ecrPinned = "111122223333.dkr.ecr.us-east-1.amazonaws.com/web@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"
)

func fixture(images map[string]model.ImageLookup) *model.TaskDefinition {
	td := &model.TaskDefinition{Images: images}
	td.ARN, td.Account, td.Region, td.Partition = "arn:aws:ecs:us-east-1:111122223333:task-definition/web:3", "111122223333", "us-east-1", "aws"
	td.Def = ecstypes.TaskDefinition{
		TaskDefinitionArn: aws.String(td.ARN), Family: aws.String("web"), Revision: 3, NetworkMode: ecstypes.NetworkModeAwsvpc,
		Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{
			{Name: aws.String("app"), Image: aws.String(ecrImage), Memory: aws.Int32(256), User: aws.String("1000"),
				Environment: []ecstypes.KeyValuePair{{Name: aws.String("MODE"), Value: aws.String("on")}}},
			{Name: aws.String("sidecar"), Image: aws.String(ecrPinned), Privileged: aws.Bool(true)},
		},
	}
	return td
}

func scanned(counts map[string]int32) *model.Image {
	img := &model.Image{Detail: ecrtypes.ImageDetail{
		RegistryId: aws.String("111122223333"), RepositoryName: aws.String("web"),
		ImageDigest:              aws.String("sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"),
		ImagePushedAt:            aws.Time(testNow.Add(-48 * time.Hour)),
		ImageScanStatus:          &ecrtypes.ImageScanStatus{Status: ecrtypes.ScanStatusComplete},
		ImageScanFindingsSummary: &ecrtypes.ImageScanFindingsSummary{FindingSeverityCounts: counts, ImageScanCompletedAt: aws.Time(testNow.Add(-time.Hour))},
	}}
	img.ARN = "arn:aws:ecr:us-east-1:111122223333:repository/web/" + *img.Detail.ImageDigest
	return img
}

// TestImageDependentRules checks rule.Meta's ReadsImages against the catalog: exactly the task definition rules whose results
// change when only the images' scans change are listed, so the sweep's re-evaluation from scan summaries misses none.
func TestImageDependentRules(t *testing.T) {
	lookups := []map[string]model.ImageLookup{
		nil,
		{ecrImage: {Image: scanned(nil)}, ecrPinned: {Image: scanned(nil)}},
		{ecrImage: {Image: scanned(map[string]int32{"CRITICAL": 2})}, ecrPinned: {Image: scanned(map[string]int32{"HIGH": 1})}},
		{ecrImage: {Err: "describe image: AccessDenied"}, ecrPinned: {Err: "describe image: AccessDenied"}},
	}
	listed := 0
	for _, r := range taskdef.All() {
		eng := engine.New(engine.NewCatalog(r), nil)
		verdicts := map[string]bool{}
		for _, lk := range lookups {
			verdicts[Verdict(eng.EvaluateOne(fixture(lk), testNow))] = true
		}
		changes := len(verdicts) > 1
		if changes != r.ReadsImages {
			t.Errorf("rule %s: results change with the images: %v; ReadsImages says %v", r.ID, changes, r.ReadsImages)
		}
		if r.ReadsImages {
			listed++
		}
	}
	if listed == 0 {
		t.Error("no image-dependent rule in the catalog: the check above proves nothing")
	}
}

func TestVerdictIgnoresTheDetailsOfWhatIsNotSent(t *testing.T) {
	f := func(status rule.Status, detail string) []engine.Finding {
		return []engine.Finding{{Rule: &rule.Meta{ID: "image.scan-missing"}, Status: status, Severity: rule.Medium, Detail: detail}}
	}
	if Verdict(f(rule.NotAvailable, "pushed 3m ago")) != Verdict(f(rule.NotAvailable, "pushed 5m ago")) {
		t.Error("a NOT_AVAILABLE detail (a changing age) must not change the verdict")
	}
	if Verdict(f(rule.Failed, "2 HIGH")) == Verdict(f(rule.Failed, "3 HIGH")) {
		t.Error("a FAILED detail is what Security Hub shows: a change must change the verdict")
	}
	if Verdict(f(rule.Failed, "x")) == Verdict(f(rule.Passed, "x")) {
		t.Error("a status change must change the verdict")
	}
	a := append(f(rule.Passed, ""), engine.Finding{Rule: &rule.Meta{ID: "b"}, Status: rule.Failed})
	b := []engine.Finding{a[1], a[0]}
	if Verdict(a) != Verdict(b) {
		t.Error("the verdict does not depend on the order of results")
	}
}

func TestCatalogVersionAndConfigHash(t *testing.T) {
	cat := catalog.Default()
	if CatalogVersion(cat, "v1") == CatalogVersion(cat, "v2") {
		t.Error("the auditor version is part of the catalog version")
	}
	smaller := engine.NewCatalog(cat.Rules[1:]...)
	if CatalogVersion(cat, "v1") == CatalogVersion(smaller, "v1") {
		t.Error("a rule more or less changes the catalog version")
	}
	c := config.Default()
	before := ConfigHash(c)
	c.Settings.VulnerabilityThreshold = rule.Critical
	if ConfigHash(c) == before || ConfigHash(nil) != before {
		t.Error("the configuration hash follows the settings (and nil means the default)")
	}
}

func TestMaxAgeSpreadsOverHalfToFullAge(t *testing.T) {
	s := &Sweeper{Options: Options{MaxAge: 8 * 24 * time.Hour}}
	low, high := 0, 0
	for i := range 1000 {
		id := "arn:aws:ecs:us-east-1:111122223333:task-definition/f:" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		age := s.maxAgeOf(id)
		if age < 4*24*time.Hour || age >= 8*24*time.Hour {
			t.Fatalf("%s: limit %v outside [4d, 8d)", id, age)
		}
		if age < 6*24*time.Hour {
			low++
		} else {
			high++
		}
		if s.maxAgeOf(id) != age {
			t.Fatal("a resource's limit must not change between sweeps")
		}
	}
	if low < 400 || high < 400 {
		t.Errorf("limits not spread: %d below 6 days, %d above", low, high)
	}
}

func TestDue(t *testing.T) {
	s := &Sweeper{Options: Options{MaxAge: 7 * 24 * time.Hour}, catalog: "c1", config: "h1"}
	fresh := func() *state.SweepRecord {
		return &state.SweepRecord{ID: "x", Catalog: "c1", Config: "h1", AuditedAt: testNow.Add(-time.Hour)}
	}
	cases := []struct {
		name string
		edit func(r *state.SweepRecord) *state.SweepRecord
		want string
	}{
		{"trusted", func(r *state.SweepRecord) *state.SweepRecord { return r }, ""},
		{"never audited", func(*state.SweepRecord) *state.SweepRecord { return nil }, "new"},
		{"other catalog", func(r *state.SweepRecord) *state.SweepRecord { r.Catalog = "c0"; return r }, "rules"},
		{"other configuration", func(r *state.SweepRecord) *state.SweepRecord { r.Config = "h0"; return r }, "rules"},
		{"suppression expired", func(r *state.SweepRecord) *state.SweepRecord { r.Until = testNow; return r }, "suppression"},
		{"suppression still on", func(r *state.SweepRecord) *state.SweepRecord { r.Until = testNow.Add(time.Hour); return r }, ""},
		{"older than the maximum age", func(r *state.SweepRecord) *state.SweepRecord {
			r.AuditedAt = testNow.Add(-7 * 24 * time.Hour)
			return r
		}, "stale"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := s.due(c.edit(fresh()), testNow); got != c.want {
				t.Errorf("due = %q, want %q", got, c.want)
			}
		})
	}
}

func TestInScope(t *testing.T) {
	p := "arn:aws:ecs:us-east-1:111122223333:task-definition/"
	arns := []string{p + "web:9", p + "web:10", p + "api:1", p + "web-canary:3", p + "api:2"}
	latest := inScope(arns, ModeLatest)
	want := []string{p + "api:2", p + "web-canary:3", p + "web:10"}
	if len(latest) != 3 || latest[0] != want[0] || latest[1] != want[1] || latest[2] != want[2] {
		t.Errorf("latest: %v, want %v (revision 10 is above 9 as a number)", latest, want)
	}
	if all := inScope(arns, ModeAll); len(all) != 5 {
		t.Errorf("all: %v", all)
	}
}

func TestSuppressionUntil(t *testing.T) {
	fs := []engine.Finding{
		{Suppression: &engine.Suppression{Until: "2026-12-31"}},
		{Suppression: &engine.Suppression{Until: "2026-12-01"}},
		{Suppression: &engine.Suppression{Until: "2026-11-01", Expired: true}},
		{Suppression: &engine.Suppression{}},
	}
	if got := suppressionUntil(fs); !got.Equal(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("earliest applying suppression ends the day after 2026-12-01, got %v", got)
	}
}
