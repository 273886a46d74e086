package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
)

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(args, IO{Stdout: &out, Stderr: &errb})
	r := result{code, out.String(), errb.String()}
	for _, s := range []string{r.stdout, r.stderr} {
		low := strings.ToLower(s)
		if strings.Contains(low, "panic") || strings.Contains(low, "goroutine") {
			t.Fatalf("ecsaudit %v printed a panic:\n%s", args, s)
		}
	}
	return r
}

// jsonFinding mirrors the --format json contract of /work/shared/spec/cli.md.
type jsonFinding struct {
	ID, RuleID, Status, Severity, ResourceType, ResourceID, Container, Title, Detail, Remediation, Source string
	Account, Region                                                                                       string
	Suppression                                                                                           *struct {
		Reason, By, Until string
		Expired           bool
	}
}

type jsonReport struct {
	Findings []jsonFinding
	Summary  struct {
		Resources, Failed, Passed, Suppressed int
		BySeverity                            map[string]int
	}
}

func scanJSON(t *testing.T, args ...string) (result, jsonReport) {
	t.Helper()
	r := run(t, append([]string{"scan", "--format", "json"}, args...)...)
	var rep jsonReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not the JSON report (%v):\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	return r, rep
}

func (rep jsonReport) find(ruleID, container string) *jsonFinding {
	for i, f := range rep.Findings {
		if f.RuleID == ruleID && f.Container == container {
			return &rep.Findings[i]
		}
	}
	return nil
}

// variant writes testdata/hardened.json (a describe-task-definition output that passes every rule) into dir after
// edit changes it; edit gets the whole document and its taskDefinition object.
func variant(t *testing.T, dir, name string, edit func(doc, td map[string]any)) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "hardened.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(doc, doc["taskDefinition"].(map[string]any))
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func container(td map[string]any, i int) map[string]any {
	return td["containerDefinitions"].([]any)[i].(map[string]any)
}

// privileged makes the second container privileged: one HIGH failure, nothing else.
func privileged(_, td map[string]any) { container(td, 1)["privileged"] = true }

// keepsCapabilities makes the second container keep Docker's default capabilities: one LOW failure.
func keepsCapabilities(_, td map[string]any) { delete(container(td, 1), "linuxParameters") }

func withTag(value string) func(doc, td map[string]any) {
	return func(doc, td map[string]any) {
		privileged(doc, td)
		doc["tags"] = []any{map[string]any{"key": "ecsaudit:suppress", "value": value}}
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHardenedFixturePasses(t *testing.T) {
	r, rep := scanJSON(t, filepath.Join("testdata", "hardened.json"))
	if r.code != ExitOK || rep.Summary.Failed != 0 {
		t.Fatalf("exit %d, %d failed: the hardened fixture must pass every rule:\n%s%s", r.code, rep.Summary.Failed, r.stdout, r.stderr)
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	hardened := filepath.Join("testdata", "hardened.json")
	priv := variant(t, dir, "privileged.json", privileged)
	low := variant(t, dir, "low.json", keepsCapabilities)
	alertBaseline := filepath.Join(dir, "alert-baseline.json")
	if err := os.WriteFile(alertBaseline, []byte(`{"alertProfile": "baseline"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"clean", []string{"scan", hardened}, ExitOK},
		{"HIGH failure at default --fail-on LOW", []string{"scan", priv}, ExitFindings},
		{"HIGH failure under --fail-on CRITICAL", []string{"scan", "--fail-on", "CRITICAL", priv}, ExitOK},
		{"HIGH failure at --fail-on high (any case)", []string{"scan", "--fail-on", "high", priv}, ExitFindings},
		{"LOW failure at default", []string{"scan", low}, ExitFindings},
		{"LOW failure under --fail-on MEDIUM", []string{"scan", "--fail-on", "MEDIUM", low}, ExitOK},
		{"LOW failure at --fail-on INFORMATIONAL", []string{"scan", "--fail-on", "INFORMATIONAL", low}, ExitFindings},
		{"restricted failure under alertProfile baseline", []string{"scan", "--config", alertBaseline, low}, ExitOK},
		{"baseline failure under alertProfile baseline", []string{"scan", "--config", alertBaseline, priv}, ExitFindings},
		{"unknown severity", []string{"scan", "--fail-on", "SEVERE", priv}, ExitError},
		{"unknown format", []string{"scan", "--format", "yaml", priv}, ExitError},
		{"no path", []string{"scan"}, ExitError},
		{"bad --now", []string{"scan", "--now", "tomorrow", priv}, ExitError},
		{"bad --max-file-size", []string{"scan", "--max-file-size", "0", priv}, ExitError},
		{"unknown flag", []string{"scan", "--frobnicate", priv}, ExitError},
		{"no command", nil, ExitError},
		{"unknown command", []string{"audit"}, ExitError},
		{"version", []string{"version"}, ExitOK},
		{"help", []string{"help"}, ExitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := run(t, tt.args...); r.code != tt.want {
				t.Errorf("ecsaudit %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", tt.args, r.code, tt.want, r.stdout, r.stderr)
			}
		})
	}
}

// TestReportProfiles: both profiles are reported by default; reportProfiles narrows what the report shows, and the
// exit status then judges only what is shown.
func TestReportProfiles(t *testing.T) {
	dir := t.TempDir()
	// The privileged sidecar fails a baseline rule; dropping its capabilities block fails restricted ones too.
	both := variant(t, dir, "both.json", func(doc, td map[string]any) { privileged(doc, td); keepsCapabilities(doc, td) })
	low := variant(t, dir, "low.json", keepsCapabilities)
	cfgDir := t.TempDir()
	baselineOnly := writeFile(t, cfgDir, "baseline.json", `{"reportProfiles": ["baseline"], "alertProfile": "baseline"}`)
	unalerted := writeFile(t, cfgDir, "unalerted.json", `{"reportProfiles": ["baseline"]}`)

	_, all := scanJSON(t, both)
	if all.find("task.privileged-container", "monitor") == nil || all.find("task.capabilities-not-dropped", "monitor") == nil {
		t.Fatalf("by default both profiles are reported: %+v", all.Findings)
	}
	for _, cfg := range []string{baselineOnly, unalerted} {
		r, rep := scanJSON(t, "--config", cfg, both)
		if r.code != ExitFindings {
			t.Errorf("%s: exit %d, want %d (the baseline failure)", cfg, r.code, ExitFindings)
		}
		if f := rep.find("task.privileged-container", "monitor"); f == nil || f.Status != "FAILED" {
			t.Errorf("%s: the baseline finding is missing: %+v", cfg, f)
		}
		for _, f := range rep.Findings {
			if f.RuleID == "task.capabilities-not-dropped" || f.RuleID == "task.root-user" {
				t.Errorf("%s: restricted finding %s [%s] reported", cfg, f.RuleID, f.Container)
			}
		}
		if r, _ := scanJSON(t, "--config", cfg, low); r.code != ExitOK {
			t.Errorf("%s: only restricted failures, none reported: exit %d, want %d", cfg, r.code, ExitOK)
		}
	}
}

func TestFlagsAfterPaths(t *testing.T) {
	priv := variant(t, t.TempDir(), "web.json", privileged)
	if r := run(t, "scan", priv, "--fail-on", "CRITICAL"); r.code != ExitOK {
		t.Errorf("scan PATH --fail-on CRITICAL: exit %d\n%s", r.code, r.stderr)
	}
	r, rep := scanJSON(t, "--only-failed", priv, "--account", "444455556666")
	if r.code != ExitFindings || len(rep.Findings) != 1 {
		t.Errorf("flags around a path: exit %d, %d findings", r.code, len(rep.Findings))
	}
}

func TestUsageErrorsSayWhat(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"scan", "--fail-on", "SEVERE", "x.json"}, "--fail-on"},
		{[]string{"scan", "--format", "yaml", "x.json"}, "--format"},
		{[]string{"scan", "--now", "tomorrow", "x.json"}, "--now"},
		{[]string{"audit"}, `unknown command "audit"`},
	}
	for _, tt := range tests {
		if r := run(t, tt.args...); !strings.Contains(r.stderr, tt.want) {
			t.Errorf("ecsaudit %v: stderr %q does not mention %q", tt.args, r.stderr, tt.want)
		}
	}
}

func TestJSONContract(t *testing.T) {
	path := variant(t, t.TempDir(), "web.json", privileged)
	r := run(t, "scan", "--format", "json", path)
	if r.code != ExitFindings {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	var raw struct {
		Findings []map[string]any
		Summary  map[string]any
	}
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw.Findings) == 0 {
		t.Fatal("no findings")
	}
	statuses := map[string]bool{"FAILED": true, "PASSED": true, "NOT_APPLICABLE": true, "NOT_AVAILABLE": true, "SUPPRESSED": true}
	for _, f := range raw.Findings {
		for _, k := range []string{"id", "ruleId", "status", "severity", "resourceType", "resourceId", "title", "detail", "remediation", "source"} {
			if _, ok := f[k].(string); !ok {
				t.Errorf("finding %v: %q missing or not a string", f["id"], k)
			}
		}
		if !statuses[f["status"].(string)] {
			t.Errorf("finding %v: status %v", f["id"], f["status"])
		}
	}
	for _, k := range []string{"resources", "failed", "passed", "bySeverity"} {
		if _, ok := raw.Summary[k]; !ok {
			t.Errorf("summary lacks %q", k)
		}
	}

	var rep jsonReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	f := rep.find("task.privileged-container", "monitor")
	if f == nil {
		t.Fatal("no task.privileged-container finding for container monitor")
	}
	want := jsonFinding{
		ID: f.ID, RuleID: "task.privileged-container", Status: "FAILED", Severity: "HIGH", ResourceType: "AwsEcsTaskDefinition",
		ResourceID: "arn:aws:ecs:us-east-1:111122223333:task-definition/web:3", Container: "monitor",
		Title: "Container runs privileged", Detail: f.Detail, Remediation: f.Remediation, Source: path,
		Account: "111122223333", Region: "us-east-1",
	}
	if *f != want {
		t.Errorf("finding\n got %+v\nwant %+v", *f, want)
	}
	if !strings.Contains(f.Detail, "monitor") || !strings.Contains(f.Remediation, "privileged") {
		t.Errorf("detail %q / remediation %q", f.Detail, f.Remediation)
	}
	if web := rep.find("task.privileged-container", "web"); web == nil || web.Status != "PASSED" {
		t.Errorf("container web: %+v, want PASSED", web)
	}
	ids := map[string]bool{}
	counts := map[string]int{}
	bySev := map[string]int{}
	for _, f := range rep.Findings {
		if ids[f.ID] {
			t.Errorf("finding ID %s repeated", f.ID)
		}
		ids[f.ID] = true
		counts[f.Status]++
		if f.Status == "FAILED" {
			bySev[f.Severity]++
		}
	}
	s := rep.Summary
	if s.Resources != 1 || s.Failed != counts["FAILED"] || s.Passed != counts["PASSED"] || s.Failed != 1 {
		t.Errorf("summary %+v, counted %v", s, counts)
	}
	if len(s.BySeverity) != len(bySev) || s.BySeverity["HIGH"] != 1 {
		t.Errorf("bySeverity %v, counted %v", s.BySeverity, bySev)
	}
}

func TestOnlyFailed(t *testing.T) {
	path := variant(t, t.TempDir(), "web.json", privileged)
	_, all := scanJSON(t, path)
	_, failed := scanJSON(t, "--only-failed", path)
	if len(failed.Findings) != 1 || failed.Findings[0].RuleID != "task.privileged-container" {
		t.Errorf("--only-failed findings: %+v", failed.Findings)
	}
	if len(all.Findings) <= len(failed.Findings) {
		t.Errorf("without --only-failed: %d findings, with: %d", len(all.Findings), len(failed.Findings))
	}
	if all.Summary.Passed == 0 || failed.Summary.Passed != all.Summary.Passed {
		t.Errorf("the summary counts every finding either way: %+v vs %+v", all.Summary, failed.Summary)
	}
	r := run(t, "scan", "--only-failed", path)
	if strings.Contains(r.stdout, "PASS ") || !strings.Contains(r.stdout, "task.privileged-container [monitor]") {
		t.Errorf("text --only-failed:\n%s", r.stdout)
	}
}

func TestAccountRegion(t *testing.T) {
	dir := t.TempDir()
	noARN := variant(t, dir, "batch.json", func(doc, td map[string]any) {
		delete(td, "taskDefinitionArn")
		td["family"], td["revision"] = "batch", 4
	})
	noRevision := variant(t, dir, "norev.json", func(doc, td map[string]any) {
		delete(td, "taskDefinitionArn")
		delete(td, "revision")
		td["family"] = "draft"
	})
	withARN := filepath.Join("testdata", "hardened.json")
	tests := []struct {
		name, path, resourceID, account, region string
		args                                    []string
	}{
		{"no ARN: family:revision", noARN, "batch:4", "444455556666", "eu-west-1", []string{"--account", "444455556666", "--region", "eu-west-1"}},
		{"no ARN, no revision: family", noRevision, "draft", "444455556666", "eu-west-1", []string{"--account", "444455556666", "--region", "eu-west-1"}},
		{"no ARN, no flags", noARN, "batch:4", "", "", nil},
		{"the input's ARN wins over the flags", withARN, "arn:aws:ecs:us-east-1:111122223333:task-definition/web:3", "111122223333", "us-east-1", []string{"--account", "444455556666", "--region", "eu-west-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rep := scanJSON(t, append(tt.args, tt.path)...)
			if len(rep.Findings) == 0 {
				t.Fatal("no findings")
			}
			for _, f := range rep.Findings {
				if f.ResourceID != tt.resourceID || f.Account != tt.account || f.Region != tt.region {
					t.Fatalf("%s: resourceId %q account %q region %q, want %q %q %q", f.RuleID, f.ResourceID, f.Account, f.Region, tt.resourceID, tt.account, tt.region)
				}
			}
		})
	}
}

func TestConfig(t *testing.T) {
	dir := t.TempDir()
	priv := variant(t, dir, "web.json", privileged)
	t.Run("unknown rule ID names the key", func(t *testing.T) {
		cfg := writeFile(t, dir, "unknown.json", `{"rules": {"task.no-such-rule": {"disabled": true}}}`)
		r := run(t, "scan", "--config", cfg, priv)
		if r.code != ExitError || !strings.Contains(r.stderr, "rules.task.no-such-rule") || !strings.Contains(r.stderr, cfg) {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
		if r.stdout != "" {
			t.Errorf("a bad configuration must stop before scanning, got:\n%s", r.stdout)
		}
	})
	t.Run("unknown key names it", func(t *testing.T) {
		cfg := writeFile(t, dir, "key.json", `{"trustedRegistry": ["x"]}`)
		r := run(t, "scan", "--config", cfg, priv)
		if r.code != ExitError || !strings.Contains(r.stderr, "trustedRegistry") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		r := run(t, "scan", "--config", filepath.Join(dir, "absent.json"), priv)
		if r.code != ExitError || !strings.Contains(r.stderr, "absent.json") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("suppression", func(t *testing.T) {
		cfg := writeFile(t, dir, "suppress.json", `{"suppressions": [{"resource": "arn:aws:ecs:*:111122223333:task-definition/web:*",
			"rule": "task.privileged-container", "container": "monitor", "reason": "vendor agent needs it"}]}`)
		r, rep := scanJSON(t, "--config", cfg, priv)
		f := rep.find("task.privileged-container", "monitor")
		if r.code != ExitOK || f == nil || f.Status != "SUPPRESSED" || f.Suppression == nil || f.Suppression.Reason != "vendor agent needs it" {
			t.Fatalf("exit %d, finding %+v", r.code, f)
		}
		if !strings.Contains(f.Suppression.By, "suppressions[0]") {
			t.Errorf("suppressed by %q", f.Suppression.By)
		}
		if rep.Summary.Suppressed != 1 || rep.Summary.Failed != 0 {
			t.Errorf("summary %+v", rep.Summary)
		}
	})
	t.Run("suppression of another container does not apply", func(t *testing.T) {
		cfg := writeFile(t, dir, "other.json", `{"suppressions": [{"resource": "*", "rule": "task.privileged-container", "container": "web", "reason": "r"}]}`)
		r, rep := scanJSON(t, "--config", cfg, priv)
		if f := rep.find("task.privileged-container", "monitor"); r.code != ExitFindings || f.Status != "FAILED" {
			t.Errorf("exit %d, %+v", r.code, f)
		}
	})
	t.Run("severity override", func(t *testing.T) {
		cfg := writeFile(t, dir, "sev.json", `{"rules": {"task.privileged-container": {"severity": "critical"}}}`)
		r, rep := scanJSON(t, "--fail-on", "CRITICAL", "--config", cfg, priv)
		if f := rep.find("task.privileged-container", "monitor"); r.code != ExitFindings || f.Severity != "CRITICAL" {
			t.Errorf("exit %d, %+v", r.code, f)
		}
	})
	t.Run("disabled rule", func(t *testing.T) {
		cfg := writeFile(t, dir, "off.json", `{"rules": {"task.privileged-container": {"disabled": true}}}`)
		r, rep := scanJSON(t, "--config", cfg, priv)
		if f := rep.find("task.privileged-container", "monitor"); r.code != ExitOK || f != nil {
			t.Errorf("exit %d, %+v", r.code, f)
		}
	})
}

func TestSuppressionExpiry(t *testing.T) {
	dir := t.TempDir()
	priv := variant(t, dir, "web.json", privileged)
	cfg := writeFile(t, dir, "cfg.json", `{"suppressions": [{"resource": "arn:aws:ecs:us-east-1:111122223333:task-definition/web:3",
		"rule": "task.privileged-container", "until": "2026-12-31", "reason": "migration"}]}`)
	tagged := variant(t, dir, "tagged.json", withTag("task.privileged-container@monitor until=2026-12-31"))
	tests := []struct {
		name, now string
		args      []string
		status    string
		code      int
	}{
		{"config, last day", "2026-12-31T23:00:00Z", []string{"--config", cfg, priv}, "SUPPRESSED", ExitOK},
		{"config, expired", "2027-01-02", []string{"--config", cfg, priv}, "FAILED", ExitFindings},
		{"tag, before", "2026-11-22", []string{tagged}, "SUPPRESSED", ExitOK},
		{"tag, expired", "2027-02-01T08:00:00Z", []string{tagged}, "FAILED", ExitFindings},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, rep := scanJSON(t, append([]string{"--now", tt.now}, tt.args...)...)
			f := rep.find("task.privileged-container", "monitor")
			if r.code != tt.code || f == nil || f.Status != tt.status {
				t.Fatalf("exit %d, finding %+v; want exit %d, %s", r.code, f, tt.code, tt.status)
			}
			if tt.status == "FAILED" && !strings.Contains(f.Detail, "expired") {
				t.Errorf("detail %q does not say the suppression expired", f.Detail)
			}
			if f.Suppression == nil || f.Suppression.Until != "2026-12-31" {
				t.Errorf("suppression %+v", f.Suppression)
			}
		})
	}
}

func TestSuppressTag(t *testing.T) {
	dir := t.TempDir()
	t.Run("valid", func(t *testing.T) {
		path := variant(t, dir, "valid.json", withTag("task.privileged-container@monitor"))
		r, rep := scanJSON(t, path)
		f := rep.find("task.privileged-container", "monitor")
		if r.code != ExitOK || f == nil || f.Status != "SUPPRESSED" {
			t.Fatalf("exit %d, %+v", r.code, f)
		}
		if f.Suppression == nil || f.Suppression.Reason == "" || !strings.Contains(f.Suppression.By, "ecsaudit:suppress") {
			t.Errorf("suppression %+v", f.Suppression)
		}
	})
	t.Run("whole rule", func(t *testing.T) {
		path := variant(t, dir, "rule.json", withTag("task.privileged-container"))
		if _, rep := scanJSON(t, path); rep.find("task.privileged-container", "monitor").Status != "SUPPRESSED" {
			t.Error("a tag without @container waives every container")
		}
	})
	t.Run("malformed", func(t *testing.T) {
		path := variant(t, dir, "bad.json", withTag("task.no-such-rule until=2026-12-31"))
		r, rep := scanJSON(t, path)
		bad := rep.find("ecsaudit.invalid-suppression-tag", "")
		if r.code != ExitFindings || bad == nil || bad.Status != "FAILED" || !strings.Contains(bad.Detail, "task.no-such-rule") {
			t.Fatalf("exit %d, %+v", r.code, bad)
		}
		if f := rep.find("task.privileged-container", "monitor"); f.Status != "FAILED" {
			t.Errorf("a malformed tag waived %+v", f)
		}
	})
}

// describeImages returns a describe-images output of at least size bytes, one image per line.
func describeImages(size int) []byte {
	var b bytes.Buffer
	b.WriteString("{\n  \"imageDetails\": [\n")
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `    {"registryId": "111122223333", "repositoryName": "service-%d", "imageDigest": "sha256:%064x", `+
			`"imageTags": ["v%d", "release"], "imageSizeInBytes": %d, "imagePushedAt": 1761955200.5, `+
			`"imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json", `+
			`"imageScanStatus": {"status": "COMPLETE", "description": "The scan was completed successfully."}, `+
			`"imageScanFindingsSummary": {"imageScanCompletedAt": 1761955300, "findingSeverityCounts": {"HIGH": %d, "LOW": 3}}}`,
			i%500, i, i, 20000000+i, i%3)
	}
	b.WriteString("\n  ]\n}\n")
	return b.Bytes()
}

// unreadable makes path a file that exists but cannot be read. chmod 000 does not stop root, so when the tests run as
// root the file becomes a Unix socket, which open(2) refuses for anyone.
func unreadable(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(`{"family": "x", "containerDefinitions": [{"name": "a", "image": "b"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := os.ReadFile(path); err != nil {
		return
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Skipf("cannot make an unreadable file as this user: %v", err)
	}
	t.Cleanup(func() { l.Close() })
}

func TestBadInputs(t *testing.T) {
	tests := []struct {
		name string
		// make writes the bad input into dir and returns its path and the messages stderr must hold.
		make func(t *testing.T, dir string) (string, []string)
		args []string
		// direct passes the bad path as an argument besides the directory.
		direct bool
	}{
		{name: "invalid JSON", make: func(t *testing.T, dir string) (string, []string) {
			p := writeFile(t, dir, "broken.json", "{\n  \"family\": \"x\",\n  \"containerDefinitions\": [\n    {\"name\": \"a\" \"image\": \"b\"}\n  ]\n}\n")
			// The offending quote of "image" is on line 4, column 18.
			return p, []string{"line 4, column 18", "invalid JSON"}
		}},
		{name: "wrong shape", direct: true, make: func(t *testing.T, dir string) (string, []string) {
			return writeFile(t, dir, "shape.json", `{"loadBalancers": [{"loadBalancerName": "web"}]}`), []string{"wrong shape", "loadbalancers"}
		}},
		{name: "top-level string", direct: true, make: func(t *testing.T, dir string) (string, []string) {
			return writeFile(t, dir, "string.json", `"taskDefinition"`), []string{"wrong shape"}
		}},
		{name: "array of numbers", direct: true, make: func(t *testing.T, dir string) (string, []string) {
			return writeFile(t, dir, "numbers.json", `[1, 2, 3]`), []string{"wrong shape"}
		}},
		{name: "empty file", direct: true, make: func(t *testing.T, dir string) (string, []string) {
			return writeFile(t, dir, "empty.json", "  \n"), []string{"empty"}
		}},
		{name: "no containerDefinitions", make: func(t *testing.T, dir string) (string, []string) {
			return writeFile(t, dir, "nocontainers.json", `{"taskDefinition": {"family": "x", "networkMode": "awsvpc"}}`), []string{"containerDefinitions"}
		}},
		{name: "truncated 50 MB describe-images", make: func(t *testing.T, dir string) (string, []string) {
			data := describeImages(50 << 20)
			cut := data[:len(data)/2]
			p := filepath.Join(dir, "images.json")
			if err := os.WriteFile(p, cut, 0o644); err != nil {
				t.Fatal(err)
			}
			line := bytes.Count(cut, []byte("\n")) + 1
			col := len(cut) - bytes.LastIndexByte(cut, '\n')
			return p, []string{fmt.Sprintf("line %d, column %d", line, col), "truncated"}
		}},
		{name: "over --max-file-size", args: []string{"--max-file-size", "8000"}, make: func(t *testing.T, dir string) (string, []string) {
			return writeFile(t, dir, "big.json", string(describeImages(9000))), []string{"--max-file-size"}
		}},
		{name: "unreadable file", make: func(t *testing.T, dir string) (string, []string) {
			p := filepath.Join(dir, "locked.json")
			unreadable(t, p)
			return p, nil
		}},
		{name: "dangling symlink in a directory", make: func(t *testing.T, dir string) (string, []string) {
			p := filepath.Join(dir, "gone.json")
			if err := os.Symlink(filepath.Join(dir, "no-such-target.json"), p); err != nil {
				t.Skip(err)
			}
			return p, []string{"no such file or directory"}
		}},
		{name: "dangling symlink as an argument", direct: true, make: func(t *testing.T, dir string) (string, []string) {
			p := filepath.Join(t.TempDir(), "gone.json")
			if err := os.Symlink(filepath.Join(dir, "no-such-target.json"), p); err != nil {
				t.Skip(err)
			}
			return p, []string{"no such file or directory"}
		}},
		{name: "missing path as an argument", direct: true, make: func(t *testing.T, dir string) (string, []string) {
			return filepath.Join(t.TempDir(), "absent.json"), []string{"no such file or directory"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			good := variant(t, dir, "good.json", privileged)
			bad, wants := tt.make(t, dir)
			args := append(append([]string{}, tt.args...), dir)
			if tt.direct {
				args = append(args, bad)
			}
			r, rep := scanJSON(t, args...)
			if r.code != ExitError {
				t.Errorf("exit %d, want 2", r.code)
			}
			if !strings.Contains(r.stderr, bad+": ") {
				t.Errorf("stderr does not name %s:\n%s", bad, r.stderr)
			}
			for _, w := range wants {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if !strings.Contains(r.stderr, "could not be read; the others were scanned") {
				t.Errorf("stderr does not say the other inputs were scanned:\n%s", r.stderr)
			}
			if rep.Summary.Resources != 1 {
				t.Errorf("want the good file's one resource scanned, got %d", rep.Summary.Resources)
			}
			if f := rep.find("task.privileged-container", "monitor"); f == nil || f.Source != good || f.Status != "FAILED" {
				t.Errorf("the good file's finding is missing from stdout: %+v", f)
			}
		})
	}
}

// TestRefusedFieldKeepsTheFindings: a known field whose value the API refuses is an input error (exit 2, path, line
// and column on stderr), and every finding the rest of the task definition supports is still reported; what the
// refused value might have decided is NOT_AVAILABLE, never PASSED.
func TestRefusedFieldKeepsTheFindings(t *testing.T) {
	dir := t.TempDir()
	good := variant(t, dir, "good.json", privileged)
	bad := writeFile(t, dir, "bad.json", `{
  "family": "web",
  "networkMode": "awsvpc",
  "containerDefinitions": [
    {"name": "app", "image": "nginx", "privileged": true, "user": "1000",
     "portMappings": [{"containerPort": 80, "protocol": "http"}]},
    {"name": "side", "image": "busybox:1.36", "user": "1000", "readonlyRootFilesystem": "yes"},
    {"name": "log", "image": "busybox:1.36", "user": "0"}
  ]
}`)
	r, rep := scanJSON(t, dir)
	if r.code != ExitError {
		t.Errorf("exit %d, want %d", r.code, ExitError)
	}
	for _, w := range []string{
		bad + `: line 6, column 57: containerDefinitions/0/portMappings/0/protocol: unknown value "http"`,
		"line 7, column 89: containerDefinitions/1/readonlyRootFilesystem: want true or false, got JSON string",
	} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
	if rep.Summary.Resources != 2 {
		t.Errorf("want both files' resources scanned, got %d", rep.Summary.Resources)
	}
	want := []struct{ rule, container, status, detail string }{
		{"task.privileged-container", "app", "FAILED", `container "app" sets privileged: true`},                                         // the rest of container 0
		{"task.root-user", "log", "FAILED", `"0"`},                                                                                      // an untouched container
		{"task.writable-root-filesystem", "log", "FAILED", ""},                                                                          // an untouched container
		{"task.writable-root-filesystem", "side", "NOT_AVAILABLE", "containerDefinitions/1/readonlyRootFilesystem (line 7, column 89)"}, // about the refused field itself
		{"task.root-user", "side", "NOT_AVAILABLE", "holds a value the API refuses"},                                                    // would pass, but the container was read in part
		{"task.host-port", "app", "NOT_AVAILABLE", "containerDefinitions/0/portMappings/0/protocol"},                                    // would pass
		{"task.host-network-mode", "", "NOT_AVAILABLE", "read without it, the rule found: networkMode is awsvpc"},                       // task-level
		{"task.privileged-container", "log", "PASSED", ""},                                                                              // nothing refused in its reach
		{"task.privileged-container", "monitor", "FAILED", ""},                                                                          // the other file
	}
	for _, w := range want {
		f := rep.find(w.rule, w.container)
		if f == nil {
			t.Errorf("%s [%s]: no finding", w.rule, w.container)
			continue
		}
		if f.Status != w.status || !strings.Contains(f.Detail, w.detail) {
			t.Errorf("%s [%s]: %s %q, want %s with %q", w.rule, w.container, f.Status, f.Detail, w.status, w.detail)
		}
	}
	if f := rep.find("task.privileged-container", "monitor"); f != nil && f.Source != good {
		t.Errorf("monitor finding from %s, want %s", f.Source, good)
	}
}

func TestSARIFFormat(t *testing.T) {
	path := variant(t, t.TempDir(), "web.json", privileged)
	r := run(t, "scan", "--format", "sarif", path)
	if r.code != ExitFindings {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var log struct {
		Version string
		Runs    []struct {
			Results []struct{ RuleID string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) != 1 || log.Runs[0].Results[0].RuleID != "task.privileged-container" {
		t.Errorf("SARIF log: %+v", log)
	}
}

func TestRulesCommand(t *testing.T) {
	r := run(t, "rules")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	metas := catalog.Default().Metas()
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != len(metas) {
		t.Errorf("%d lines for %d rules", len(lines), len(metas))
	}
	for i, m := range metas {
		if i < len(lines) && (!strings.HasPrefix(lines[i], m.ID+" ") || !strings.Contains(lines[i], m.Title)) {
			t.Errorf("line %d = %q, want rule %s", i, lines[i], m.ID)
		}
	}
	if r := run(t, "rules", "--format", "html"); r.code != ExitError {
		t.Errorf("rules --format html: exit %d", r.code)
	}
}

// TestRulesMarkdownIsCurrent fails when docs/rules.md no longer matches the catalog: run `make docs`.
func TestRulesMarkdownIsCurrent(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("..", "..", "docs", "rules.md"))
	if err != nil {
		t.Fatalf("%v: run `make docs`", err)
	}
	r := run(t, "rules", "--format", "markdown")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if r.stdout != string(want) {
		t.Fatal("docs/rules.md is stale: run `make docs` and commit it")
	}
	for _, m := range catalog.Default().Metas() {
		if !strings.Contains(r.stdout, "\n## "+m.ID+"\n") {
			t.Errorf("the Markdown has no section for %s", m.ID)
		}
	}
}
