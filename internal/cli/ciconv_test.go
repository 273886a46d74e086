package cli

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputsPairWithFormats: each --output receives the --format of its position; the format left without one goes
// to standard output, and two such are refused.
func TestOutputsPairWithFormats(t *testing.T) {
	dir := t.TempDir()
	task := writeFile(t, dir, "task.json", privilegedTask("web"))
	sarifPath, junitPath := filepath.Join(dir, "out.sarif"), filepath.Join(dir, "out.xml")
	r := run(t, "scan", "--format", "sarif", "--output", sarifPath, "--format", "junit", "--output", junitPath, "--format", "json", task)
	if r.code != ExitFindings {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	var rep jsonReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Findings) == 0 {
		t.Fatalf("standard output is not the JSON report (%v):\n%s", err, r.stdout)
	}
	var log struct {
		Runs []struct {
			Results []struct{ RuleID string }
		}
	}
	data, err := os.ReadFile(sarifPath)
	if err != nil || json.Unmarshal(data, &log) != nil || len(log.Runs) != 1 || len(log.Runs[0].Results) == 0 {
		t.Fatalf("%s is not a SARIF log with results (%v):\n%s", sarifPath, err, data)
	}
	if data, err := os.ReadFile(junitPath); err != nil || !bytes.Contains(data, []byte("<testsuites")) {
		t.Fatalf("%s is not JUnit XML (%v):\n%s", junitPath, err, data)
	}

	for _, args := range [][]string{
		{"--format", "json", "--format", "text"},
		{"--format", "xml"},
		{"--format", "json", "--format", "text", "--output", "a", "--output", "b", "--output", "c"},
	} {
		if r := run(t, append(append([]string{"scan"}, args...), task)...); r.code != ExitError || !strings.Contains(r.stderr, "--") {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming the flag", args, r.code, r.stderr)
		}
	}
}

// TestJUnit: one test case per rule and resource; a failed case carries the detail and the fix; a rule that does
// not apply is skipped, saying so.
func TestJUnit(t *testing.T) {
	dir := t.TempDir()
	task := writeFile(t, dir, "task.json", `{"family": "web", "containerDefinitions": [
		{"name": "app", "image": "busybox:1", "privileged": true},
		{"name": "sidecar", "image": "busybox:1", "privileged": true}]}`)
	r := run(t, "scan", "--format", "junit", task)
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Type    string `xml:"type,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("not XML (%v):\n%s", err, r.stdout)
	}
	found := false
	failures := 0
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Failure != nil {
				failures++
			}
		}
		if s.Name != "task.privileged-container" {
			continue
		}
		found = true
		if len(s.Cases) != 1 {
			t.Fatalf("task.privileged-container: %d cases, want one for the task definition", len(s.Cases))
		}
		f := s.Cases[0].Failure
		if f == nil || f.Type != "CRITICAL" && f.Type != "HIGH" || !strings.Contains(f.Text, `container "app"`) ||
			!strings.Contains(f.Text, `container "sidecar"`) || !strings.Contains(f.Text, "fix: ") {
			t.Errorf("privileged case's failure: %+v", f)
		}
	}
	if !found || doc.Failures != failures || doc.Tests == 0 {
		t.Errorf("suite for the privileged rule found %v; %d failures counted, %d in the cases; %d tests", found, doc.Failures, failures, doc.Tests)
	}
	if !strings.Contains(r.stdout, `<skipped message="not applicable`) {
		t.Errorf("no skipped case for a rule that does not apply:\n%s", r.stdout)
	}
}

// TestSoftFailAndFailOnNone: findings are reported but do not set the exit status; an unreadable input still does.
func TestSoftFailAndFailOnNone(t *testing.T) {
	dir := t.TempDir()
	task := writeFile(t, dir, "task.json", privilegedTask("web"))
	for _, flag := range [][]string{{"--soft-fail"}, {"--fail-on", "NONE"}, {"--fail-on", "none"}} {
		r := run(t, append(append([]string{"scan"}, flag...), task)...)
		if r.code != ExitOK || !strings.Contains(r.stdout, "task.privileged-container") {
			t.Errorf("%v: exit %d, report:\n%s", flag, r.code, r.stdout)
		}
	}
	broken := writeFile(t, dir, "broken.json", `{"family": "x", "containerDefinitions": [`)
	if r := run(t, "scan", "--soft-fail", task, broken); r.code != ExitError {
		t.Errorf("--soft-fail with an unreadable input: exit %d, want 2", r.code)
	}
}

// TestBaseline: a baseline created from today's findings makes the same scan pass; a new failure still fails, and
// the accepted ones are reported as waived by the baseline.
func TestBaseline(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	if err := os.Mkdir(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, repo, "old.json", privilegedTask("old"))
	base := filepath.Join(dir, "baseline.json")
	if r := run(t, "scan", "--create-baseline", base, repo); r.code != ExitOK {
		t.Fatalf("--create-baseline: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	var b baselineFile
	data, _ := os.ReadFile(base)
	if err := json.Unmarshal(data, &b); err != nil || b.Tool != "ecsaudit" || len(b.Findings) == 0 {
		t.Fatalf("baseline file (%v):\n%s", err, data)
	}
	r, rep := scanJSON(t, "--baseline", base, repo)
	if r.code != ExitOK || rep.Summary.Failed != 0 || rep.Summary.Suppressed != len(b.Findings) {
		t.Errorf("with the baseline: exit %d, %d failed, %d suppressed; want 0, 0, %d", r.code, rep.Summary.Failed, rep.Summary.Suppressed, len(b.Findings))
	}
	writeFile(t, repo, "new.json", privilegedTask("new"))
	r, rep = scanJSON(t, "--baseline", base, repo)
	if r.code != ExitFindings {
		t.Errorf("a new failure with the baseline: exit %d, want 1", r.code)
	}
	for _, f := range rep.Findings {
		if f.Status == "FAILED" && !strings.Contains(f.Source, "new.json") {
			t.Errorf("a baselined finding still fails: %+v", f)
		}
		if f.Status == "SUPPRESSED" && (f.Suppression == nil || !strings.Contains(f.Suppression.Reason, "baseline")) {
			t.Errorf("a waived finding does not name the baseline: %+v", f)
		}
	}
	bad := writeFile(t, dir, "other.json", `{"tool": "checkov", "version": 1}`)
	if r := run(t, "scan", "--baseline", bad, repo); r.code != ExitError || !strings.Contains(r.stderr, "not an ecsaudit baseline") {
		t.Errorf("a foreign baseline: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestScanStdin: "-" reads the input from standard input.
func TestScanStdin(t *testing.T) {
	var out, errb bytes.Buffer
	code := Run([]string{"scan", "--format", "json", "-"}, IO{Stdin: strings.NewReader(privilegedTask("piped")), Stdout: &out, Stderr: &errb})
	if code != ExitFindings || !strings.Contains(out.String(), "task.privileged-container") || !strings.Contains(out.String(), "piped") {
		t.Errorf("scan -: exit %d, stdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	if code := Run([]string{"scan", "-"}, IO{Stdout: &out, Stderr: &errb}); code != ExitError {
		t.Errorf("scan - without standard input: exit %d, want 2", code)
	}
}

// TestSARIFSaysWhatWasNotRead: an unreadable input makes the run unsuccessful and is named in a notification, so
// code scanning does not close the alerts of the files it could not read.
func TestSARIFSaysWhatWasNotRead(t *testing.T) {
	dir := t.TempDir()
	task := writeFile(t, dir, "task.json", privilegedTask("web"))
	type invocation struct {
		ExecutionSuccessful        bool
		ToolExecutionNotifications []struct {
			Level   string
			Message struct{ Text string }
		}
	}
	parse := func(out string) invocation {
		var log struct {
			Runs []struct{ Invocations []invocation }
		}
		if err := json.Unmarshal([]byte(out), &log); err != nil || len(log.Runs) != 1 || len(log.Runs[0].Invocations) != 1 {
			t.Fatalf("SARIF without one invocation (%v):\n%s", err, out)
		}
		return log.Runs[0].Invocations[0]
	}
	if inv := parse(run(t, "scan", "--format", "sarif", task).stdout); !inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 0 {
		t.Errorf("every input read: %+v", inv)
	}
	broken := writeFile(t, dir, "broken.json", `{"family": "x", "containerDefinitions": [`)
	r := run(t, "scan", "--format", "sarif", task, broken)
	inv := parse(r.stdout)
	if r.code != ExitError || inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 1 ||
		inv.ToolExecutionNotifications[0].Level != "error" || !strings.Contains(inv.ToolExecutionNotifications[0].Message.Text, "broken.json") {
		t.Errorf("an unreadable input: exit %d, invocation %+v", r.code, inv)
	}
}

// TestRulesJSONAndOne: rules --format json lists every rule; rules ID prints that rule whole; an unknown ID is an
// error that suggests the near ones.
func TestRulesJSONAndOne(t *testing.T) {
	r := run(t, "rules", "--format", "json")
	var rules []ruleJSON
	if err := json.Unmarshal([]byte(r.stdout), &rules); err != nil || len(rules) < 36 {
		t.Fatalf("rules --format json: %d rules (%v)", len(rules), err)
	}
	for _, x := range rules {
		if x.ID == "" || x.Remediation == "" || x.Profile == "" || x.Severity == "" && !x.SeverityAsFound {
			t.Errorf("incomplete rule in JSON: %+v", x)
		}
	}
	r = run(t, "rules", "task.privileged-container")
	if r.code != ExitOK || !strings.HasPrefix(r.stdout, "task.privileged-container: ") || !strings.Contains(r.stdout, "fix: ") {
		t.Errorf("rules task.privileged-container: exit %d:\n%s", r.code, r.stdout)
	}
	r = run(t, "rules", "privileged", "--format", "json")
	if r.code != ExitError || !strings.Contains(r.stderr, "did you mean") || !strings.Contains(r.stderr, "task.privileged-container") {
		t.Errorf("rules privileged: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestKMSKeyFactsOffline: describe-key output, alone or in the describe-repositories bundle, decides whether a key
// named only by its ARN is customer managed; without it the key passes with the caveat.
func TestKMSKeyFactsOffline(t *testing.T) {
	const keyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	repos := `{"repositories": [{"repositoryName": "web", "repositoryArn": "arn:aws:ecr:us-east-1:111122223333:repository/web",
		"registryId": "111122223333", "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": "` + keyARN + `"}}]`
	key := func(manager string) string {
		return `{"KeyMetadata": {"AWSAccountId": "111122223333", "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
			"Arn": "` + keyARN + `", "CreationDate": "2024-01-01T00:00:00.000000+00:00", "KeyManager": "` + manager + `"}}`
	}
	verdict := func(files ...string) (string, string) {
		t.Helper()
		_, rep := scanJSON(t, files...)
		f := rep.find("repo.not-cmk-encrypted", "")
		if f == nil {
			t.Fatalf("no repo.not-cmk-encrypted finding")
		}
		return f.Status, f.Detail
	}
	dir := t.TempDir()
	alone := writeFile(t, dir, "repos.json", repos+"}")
	if status, detail := verdict(alone); status != "PASSED" || !strings.Contains(detail, "not checked") {
		t.Errorf("without describe-key: %s %q", status, detail)
	}
	awsKey := writeFile(t, dir, "key.json", key("AWS"))
	if status, detail := verdict(alone, awsKey); status != "FAILED" || !strings.Contains(detail, "AWS managed") {
		t.Errorf("describe-key says AWS: %s %q", status, detail)
	}
	bundle := writeFile(t, dir, "bundle.json", repos+`, "keys": [`+key("CUSTOMER")+`]}`)
	if status, detail := verdict(bundle); status != "PASSED" || !strings.Contains(detail, "customer managed") {
		t.Errorf("the bundle's keys say CUSTOMER: %s %q", status, detail)
	}
	broken := writeFile(t, dir, "badkey.json", key("SOMEONE"))
	if r := run(t, "scan", alone, broken); r.code != ExitError || !strings.Contains(r.stderr, "KeyManager") || !strings.Contains(r.stderr, "badkey.json") {
		t.Errorf("a describe-key output with an unknown manager: exit %d, stderr %q", r.code, r.stderr)
	}
}
