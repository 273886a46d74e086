package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

var testNow = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// scanFiles runs the shipped catalog over fixture files the way the CLI does.
func scanFiles(t *testing.T, cfg *config.Config, paths ...string) *Report {
	t.Helper()
	set := load.NewSet(load.Options{Account: "111122223333", Region: "us-east-1"})
	sources := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := set.Add(p, data); err != nil {
			t.Fatalf("load %s: %v", p, err)
		}
		sources[p] = data
	}
	set.Link()
	cat := catalog.Default()
	rs := set.Resources()
	return &Report{
		Findings:  engine.New(cat, cfg).Evaluate(rs, testNow),
		Resources: len(set.Tasks) + len(set.Repos) + len(set.Registries) + len(set.Images),
		Catalog:   cat,
		Sources:   sources,
		Now:       testNow,
		Version:   "v1.2.3",
	}
}

func writeSARIF(t *testing.T, r *Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (SARIF{}).Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sarifValidator(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(sarifSchema, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(sarifSchema)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func validate(t *testing.T, sch *jsonschema.Schema, out []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	return sch.Validate(inst)
}

// decoded is the part of a SARIF log the tests read back.
type decoded struct {
	Schema  string `json:"$schema"`
	Version string
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name, Version, InformationURI string
				Rules                         []struct {
					ID, Name             string
					ShortDescription     struct{ Text string }
					FullDescription      struct{ Text string }
					Help                 struct{ Text, Markdown string }
					HelpURI              string
					DefaultConfiguration struct {
						Level string
					}
					Properties struct {
						SecuritySeverity string `json:"security-severity"`
						Tags             []string
					}
				}
			}
		}
		Results []struct {
			RuleID    string
			RuleIndex int
			Level     string
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI string }
					Region           struct{ StartLine, StartColumn int }
				}
			}
			PartialFingerprints map[string]string
			Suppressions        []struct{ Kind, Justification string }
		}
	}
}

func decode(t *testing.T, out []byte) decoded {
	t.Helper()
	var d decoded
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Runs) != 1 {
		t.Fatalf("want one run, got %d", len(d.Runs))
	}
	return d
}

// lineCol finds the 1-based line and UTF-16 column where needle starts in the file; needle must occur once.
func lineCol(t *testing.T, data []byte, needle string) (int, int) {
	t.Helper()
	if n := bytes.Count(data, []byte(needle)); n != 1 {
		t.Fatalf("%q occurs %d times in the fixture, want once", needle, n)
	}
	i := bytes.Index(data, []byte(needle))
	lineStart := bytes.LastIndexByte(data[:i], '\n') + 1
	return bytes.Count(data[:i], []byte("\n")) + 1, len(utf16.Encode([]rune(string(data[lineStart:i])))) + 1
}

func TestSARIFValidAgainstSchema(t *testing.T) {
	sch := sarifValidator(t)
	files := []string{"testdata/privileged_sidecar.json", "testdata/privileged_array.json", "testdata/privileged_recorded.json"}
	cfg := config.Default()
	// Waive one finding so the log also carries a suppressed result.
	cfg.Suppressions = []config.Suppression{{Resource: "batch", Rule: "task.privileged-container", Container: "débogueur 🐛", Reason: "debug build only"}}
	rep := scanFiles(t, cfg, files...)
	out := writeSARIF(t, rep)
	if err := validate(t, sch, out); err != nil {
		t.Fatalf("SARIF output does not validate against the 2.1.0 schema: %v\n%s", err, out)
	}
	d := decode(t, out)
	if d.Version != "2.1.0" || d.Schema != sarifSchema {
		t.Errorf("version %q, $schema %q", d.Version, d.Schema)
	}
	drv := d.Runs[0].Tool.Driver
	if drv.Name != "ecsaudit" || drv.Version != "v1.2.3" || drv.InformationURI == "" {
		t.Errorf("driver = %+v", drv)
	}
	metas := rep.Catalog.Metas()
	if len(drv.Rules) != len(metas) {
		t.Fatalf("driver has %d rules, catalog %d", len(drv.Rules), len(metas))
	}
	for i, m := range metas {
		got := drv.Rules[i]
		if got.ID != m.ID || got.ShortDescription.Text != m.Title || got.FullDescription.Text != m.Description {
			t.Errorf("rule %d = %s %q, want %s %q", i, got.ID, got.ShortDescription.Text, m.ID, m.Title)
		}
		if !strings.HasPrefix(got.Help.Text, m.Remediation) || !strings.HasPrefix(got.Help.Markdown, m.Remediation) {
			t.Errorf("%s: help does not start with the remediation: %q", m.ID, got.Help.Text)
		}
		for _, ref := range m.References {
			if !strings.Contains(got.Help.Text, ref) || !strings.Contains(got.Help.Markdown, ref) {
				t.Errorf("%s: help lacks reference %s", m.ID, ref)
			}
		}
		if got.DefaultConfiguration.Level != level(m.Severity) || got.Properties.SecuritySeverity != securitySeverity(m.Severity) {
			t.Errorf("%s: level %q security-severity %q for %s", m.ID, got.DefaultConfiguration.Level, got.Properties.SecuritySeverity, m.Severity)
		}
		if len(got.Properties.Tags) == 0 || got.Properties.Tags[0] != "security" {
			t.Errorf("%s: tags %v lack \"security\" (GitHub reads security-severity only then)", m.ID, got.Properties.Tags)
		}
	}

	var failed, suppressed int
	for _, f := range rep.Findings {
		switch f.Status {
		case rule.Failed:
			failed++
		case rule.Suppressed:
			suppressed++
		}
	}
	results := d.Runs[0].Results
	if len(results) != failed+suppressed || suppressed != 1 {
		t.Fatalf("%d results, want %d FAILED + %d SUPPRESSED (want 1 suppressed)", len(results), failed, suppressed)
	}
	ids := map[string]bool{}
	var sawSuppressed bool
	for _, res := range results {
		if drv.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s has ruleIndex %d, which is %s", res.RuleID, res.RuleIndex, drv.Rules[res.RuleIndex].ID)
		}
		id := res.PartialFingerprints[fingerprintKey]
		if id == "" || ids[id] {
			t.Errorf("result %s: fingerprint %q empty or repeated", res.RuleID, id)
		}
		ids[id] = true
		if len(res.Locations) != 1 || res.Locations[0].PhysicalLocation.Region.StartLine < 1 {
			t.Errorf("result %s: locations %+v", res.RuleID, res.Locations)
		}
		if len(res.Suppressions) > 0 {
			sawSuppressed = true
			s := res.Suppressions[0]
			if s.Kind != "external" || !strings.Contains(s.Justification, "debug build only") {
				t.Errorf("suppression = %+v", s)
			}
		}
	}
	if !sawSuppressed {
		t.Error("the suppressed finding has no suppressions entry")
	}
}

// TestSARIFSchemaRejects shows the validation above can fail: a log with an unknown level is refused.
func TestSARIFSchemaRejects(t *testing.T) {
	sch := sarifValidator(t)
	bad := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"level":"fatal"}]}]}`
	if err := validate(t, sch, []byte(bad)); err == nil {
		t.Fatal("a result with level \"fatal\" validated")
	}
	good := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"level":"error"}]}]}`
	if err := validate(t, sch, []byte(good)); err != nil {
		t.Fatalf("a minimal log did not validate: %v", err)
	}
}

func TestSARIFLocatesPrivilegedContainer(t *testing.T) {
	tests := []struct {
		file, container string
	}{
		{"testdata/privileged_sidecar.json", "monitor"},
		{"testdata/privileged_array.json", "monitor"},
		{"testdata/privileged_recorded.json", "débogueur 🐛"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			rep := scanFiles(t, nil, tt.file)
			d := decode(t, writeSARIF(t, rep))
			data, _ := os.ReadFile(tt.file)
			wantLine, wantCol := lineCol(t, data, `"privileged": true`)
			var found bool
			for _, res := range d.Runs[0].Results {
				if res.RuleID != "task.privileged-container" {
					continue
				}
				found = true
				if res.Level != "error" {
					t.Errorf("level %q, want error", res.Level)
				}
				if !strings.Contains(res.Message.Text, "Container runs privileged") || !strings.Contains(res.Message.Text, tt.container) {
					t.Errorf("message %q lacks the title or the container", res.Message.Text)
				}
				loc := res.Locations[0].PhysicalLocation
				if loc.ArtifactLocation.URI != tt.file {
					t.Errorf("uri %q, want %q", loc.ArtifactLocation.URI, tt.file)
				}
				if loc.Region.StartLine != wantLine || loc.Region.StartColumn != wantCol {
					t.Errorf("region %d:%d, want %d:%d", loc.Region.StartLine, loc.Region.StartColumn, wantLine, wantCol)
				}
			}
			if !found {
				t.Fatal("no task.privileged-container result")
			}
		})
	}
}

// TestSARIFLocatesRepository checks a repository finding: the resource is the second element of "repositories".
func TestSARIFLocatesRepository(t *testing.T) {
	const file = "testdata/mutable_repositories.json"
	d := decode(t, writeSARIF(t, scanFiles(t, nil, file)))
	data, _ := os.ReadFile(file)
	wantLine, wantCol := lineCol(t, data, `"imageTagMutability": "MUTABLE"`)
	var n int
	for _, res := range d.Runs[0].Results {
		if res.RuleID != "repo.mutable-tags" {
			continue
		}
		n++
		if r := res.Locations[0].PhysicalLocation.Region; r.StartLine != wantLine || r.StartColumn != wantCol {
			t.Errorf("region %d:%d, want %d:%d", r.StartLine, r.StartColumn, wantLine, wantCol)
		}
	}
	if n != 1 {
		t.Errorf("%d repo.mutable-tags results, want 1 (repository batch)", n)
	}
}

func TestLocateFallsBackToAncestor(t *testing.T) {
	data := []byte(`{
  "taskDefinition": {
    "family": "f",
    "containerDefinitions": [
      {"name": "a", "image": "x"},
      {"name": "b",
       "image": "y", "user": "0"}
    ]
  }
}`)
	src := map[string][]byte{"f.json": data}
	tests := []struct {
		name, sourcePath, path string
		line, col              int
	}{
		{"present field", "taskDefinition", "containerDefinitions/1/user", 7, 22},
		{"absent field: the container object", "taskDefinition", "containerDefinitions/0/user", 5, 7},
		{"absent container: the list", "taskDefinition", "containerDefinitions/5/user", 4, 5},
		{"task-level result without a path", "taskDefinition", "", 2, 3},
		{"key matched in any case", "taskdefinition", "ContainerDefinitions/1/Image", 7, 8},
		{"resource path absent: the document", "data/taskDefinition", "family", 1, 1},
		{"index into an object", "taskDefinition", "family/0", 3, 5},
	}
	var fs []engine.Finding
	for _, tt := range tests {
		fs = append(fs, engine.Finding{Subject: &engine.Subject{Source: "f.json", SourcePath: tt.sourcePath}, Path: tt.path})
	}
	fs = append(fs, engine.Finding{Subject: &engine.Subject{Source: "elsewhere.json"}, Path: "x"})
	got := locateFindings(src, fs)
	for i, tt := range tests {
		if got[i] == nil || got[i].StartLine != tt.line || got[i].StartColumn != tt.col {
			t.Errorf("%s: got %+v, want %d:%d", tt.name, got[i], tt.line, tt.col)
		}
	}
	if got[len(tests)] != nil {
		t.Errorf("a finding whose source bytes are unknown got region %+v", got[len(tests)])
	}
}

func TestSARIFOnlyFailedDropsSuppressed(t *testing.T) {
	cfg := config.Default()
	cfg.Suppressions = []config.Suppression{{Resource: "*", Rule: "task.privileged-container", Container: "monitor", Reason: "accepted"}}
	rep := scanFiles(t, cfg, "testdata/privileged_sidecar.json")
	rep.OnlyFailed = true
	for _, res := range decode(t, writeSARIF(t, rep)).Runs[0].Results {
		if len(res.Suppressions) > 0 {
			t.Errorf("--only-failed kept suppressed result %s", res.RuleID)
		}
	}
	rep.OnlyFailed = false
	var n int
	for _, res := range decode(t, writeSARIF(t, rep)).Runs[0].Results {
		n += len(res.Suppressions)
	}
	if n != 1 {
		t.Errorf("want 1 suppressed result without --only-failed, got %d", n)
	}
}

func TestSARIFEmptyReport(t *testing.T) {
	out := writeSARIF(t, &Report{Version: "dev"})
	if err := validate(t, sarifValidator(t), out); err != nil {
		t.Fatalf("empty report: %v\n%s", err, out)
	}
	d := decode(t, out)
	if d.Runs[0].Results == nil {
		t.Error("results must be an empty list, not absent: an empty list says the scan ran and found nothing")
	}
}

func TestSeverityMapping(t *testing.T) {
	tests := []struct {
		sev          rule.Severity
		level, score string
	}{
		{rule.Critical, "error", "9.0"},
		{rule.High, "error", "7.0"},
		{rule.Medium, "warning", "5.0"},
		{rule.Low, "note", "3.0"},
		{rule.Informational, "note", "1.0"},
	}
	for _, tt := range tests {
		if got := level(tt.sev); got != tt.level {
			t.Errorf("level(%s) = %s, want %s", tt.sev, got, tt.level)
		}
		if got := securitySeverity(tt.sev); got != tt.score {
			t.Errorf("securitySeverity(%s) = %s, want %s", tt.sev, got, tt.score)
		}
	}
}

func TestArtifactURI(t *testing.T) {
	cwd := filepath.FromSlash("/work/repo")
	tests := []struct{ path, want string }{
		{"taskdefs/web.json", "taskdefs/web.json"},
		{"./taskdefs/../web.json", "web.json"},
		{filepath.FromSlash("/work/repo/deploy/web.json"), "deploy/web.json"},
		{filepath.FromSlash("/tmp/other/web.json"), "file:///tmp/other/web.json"},
		{"dir with space/a#b.json", "dir%20with%20space/a%23b.json"},
		{"../shared/x.json", "../shared/x.json"},
		{"a:b.json", "./a:b.json"},
	}
	for _, tt := range tests {
		if got := artifactURI(tt.path, cwd); got != tt.want {
			t.Errorf("artifactURI(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestRuleName(t *testing.T) {
	if got := ruleName("task.privileged-container"); got != "TaskPrivilegedContainer" {
		t.Errorf("got %q", got)
	}
	if got := ruleName("ecsaudit.invalid-suppression-tag"); got != "EcsauditInvalidSuppressionTag" {
		t.Errorf("got %q", got)
	}
}

// TestSARIFTrimsToWhatCodeScanningTakes: over 25,000 results, the most severe are kept and a notification says how
// many there were.
func TestSARIFTrimsToWhatCodeScanningTakes(t *testing.T) {
	low := &rule.Meta{ID: "test.low", Title: "low", Severity: rule.Low}
	high := &rule.Meta{ID: "test.high", Title: "high", Severity: rule.High}
	var fs []engine.Finding
	for i := range MaxSARIFResults + 10 {
		fs = append(fs, engine.Finding{Rule: low, Status: rule.Failed, Severity: rule.Low,
			Subject: &engine.Subject{Type: "AwsEcsTaskDefinition", ID: fmt.Sprintf("t%d", i)}})
	}
	fs = append(fs, engine.Finding{Rule: high, Status: rule.Failed, Severity: rule.High, Subject: &engine.Subject{Type: "AwsEcsTaskDefinition", ID: "last"}})
	var buf bytes.Buffer
	if err := (SARIF{}).Write(&buf, &Report{Findings: fs}); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Results     []struct{ RuleID string }
			Invocations []struct {
				ExecutionSuccessful        bool
				ToolExecutionNotifications []struct {
					Level   string
					Message struct{ Text string }
				}
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Results) != MaxSARIFResults || run.Results[0].RuleID != "test.high" {
		t.Errorf("%d results, first %q; want %d, the HIGH one first", len(run.Results), run.Results[0].RuleID, MaxSARIFResults)
	}
	inv := run.Invocations[0]
	if !inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 1 || !strings.Contains(inv.ToolExecutionNotifications[0].Message.Text, "25011 results") {
		t.Errorf("invocation: %+v", inv)
	}
}
