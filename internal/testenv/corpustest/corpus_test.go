package corpustest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/cli"
)

// corpusDir is the shared corpus, beside the repository.
var corpusDir = filepath.Join("..", "..", "..", "testdata", "corpus")

// now is the evaluation time the table was written for (it matters for the image rules' grace window).
const now = "2026-11-22"

// entry is one hand-read file of expectations.json.
type entry struct {
	File   string     `json:"file"`
	Failed []expected `json:"failed"`
	// NotAvailable lists results that cannot be judged from the file alone: they must be NOT_AVAILABLE, never
	// PASSED (a resource that could not be read is never reported as passing).
	NotAvailable []expected `json:"notAvailable,omitempty"`
	Notes        string     `json:"notes"`
}

// expected is one (rule, container) pair the reader expects FAILED. Resource names the repository or
// repository@digest in files that hold several resources; it is empty for task definitions.
type expected struct {
	Rule      string `json:"rule"`
	Container string `json:"container"`
	Resource  string `json:"resource,omitempty"`
	Why       string `json:"why"`
}

// finding is the part of the CLI's JSON report the tests read.
type finding struct {
	RuleID     string `json:"ruleId"`
	Status     string `json:"status"`
	Severity   string `json:"severity"`
	ResourceID string `json:"resourceId"`
	Container  string `json:"container"`
	Detail     string `json:"detail"`
	Source     string `json:"source"`
}

type report struct {
	Findings []finding `json:"findings"`
}

// key identifies one result the way the table does.
type key struct{ rule, resource, container string }

func (k key) String() string {
	s := k.rule
	if k.resource != "" {
		s += " [" + k.resource + "]"
	}
	if k.container != "" {
		s += " @" + k.container
	}
	return s
}

// requireCorpus fails the test (never skips it) when the shared corpus is not where the table expects it.
func requireCorpus(t *testing.T) {
	t.Helper()
	if st, err := os.Stat(corpusDir); err != nil || !st.IsDir() {
		t.Fatalf("corpus not found at %s (relative to internal/testenv/corpustest): %v", corpusDir, err)
	}
}

func loadTable(t *testing.T) []entry {
	t.Helper()
	data, err := os.ReadFile("expectations.json")
	if err != nil {
		t.Fatalf("read table: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var table []entry
	if err := dec.Decode(&table); err != nil {
		t.Fatalf("decode expectations.json: %v", err)
	}
	return table
}

// scan runs "ecsaudit scan --format json" on one file in-process and returns the exit status, the decoded
// report (nil when stdout is not a report) and stderr. A panic is turned into a test error.
func scan(t *testing.T, path string) (code int, rep *report, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Errorf("%s: scan panicked: %v", path, p)
				code = -1
			}
		}()
		code = cli.Run([]string{"scan", "--format", "json", "--now", now, path}, cli.IO{Stdout: &out, Stderr: &errb})
	}()
	if out.Len() > 0 {
		rep = new(report)
		if err := json.Unmarshal(out.Bytes(), rep); err != nil {
			t.Errorf("%s: stdout is not a JSON report: %v", path, err)
			rep = nil
		}
	}
	return code, rep, errb.String()
}

// resourceName reduces a repository or image ARN to the name the table uses (repository, or repository@digest).
func resourceName(id string) string {
	const marker = ":repository/"
	i := strings.Index(id, marker)
	if !strings.HasPrefix(id, "arn:") || i < 0 {
		return id
	}
	rest := id[i+len(marker):]
	if j := strings.LastIndex(rest, "/sha256:"); j >= 0 {
		return rest[:j] + "@" + rest[j+1:]
	}
	return rest
}

// TestExpectations compares, file by file, the FAILED (rule, container) pairs the CLI reports with the table.
// Missing and unexpected pairs both fail.
func TestExpectations(t *testing.T) {
	requireCorpus(t)
	table := loadTable(t)
	if len(table) < 30 {
		t.Fatalf("the table has %d files; the corpus check wants at least 30", len(table))
	}
	known := map[string]bool{}
	for _, m := range catalog.Default().Metas() {
		known[m.ID] = true
	}
	seen := map[string]bool{}
	for _, e := range table {
		t.Run(e.File, func(t *testing.T) {
			if seen[e.File] {
				t.Fatalf("%s appears twice in the table", e.File)
			}
			seen[e.File] = true
			byResource := namesResources(e)
			want := wantSet(t, e.File, e.Failed, byResource)
			unread := wantSet(t, e.File, e.NotAvailable, byResource)
			path := filepath.Join(corpusDir, filepath.FromSlash(e.File))
			code, rep, stderr := scan(t, path)
			if rep == nil || code == cli.ExitError || code < 0 {
				t.Fatalf("scan %s: exit %d, no usable report; stderr:\n%s", e.File, code, stderr)
			}
			got := map[key]finding{}
			status := map[key][]string{}
			for _, f := range rep.Findings {
				k := key{rule: f.RuleID, container: f.Container}
				if byResource {
					k.resource = resourceName(f.ResourceID)
				}
				status[k] = append(status[k], f.Status)
				if f.Status == "FAILED" {
					got[k] = f
				}
			}
			var problems []string
			for k, why := range want {
				if _, ok := got[k]; ok {
					continue
				}
				was := "no result at all"
				if s := status[k]; len(s) > 0 {
					was = strings.Join(s, ", ")
				}
				if !known[k.rule] {
					was = "rule not in the catalog"
				}
				problems = append(problems, fmt.Sprintf("missing    %s: table says FAILED (%s); code says %s", k, why, was))
			}
			for k, f := range got {
				if _, ok := want[k]; !ok {
					problems = append(problems, fmt.Sprintf("unexpected %s: code says FAILED (%s); the table does not", k, f.Detail))
				}
			}
			for k, why := range unread {
				if s := status[k]; len(s) != 1 || s[0] != "NOT_AVAILABLE" {
					problems = append(problems, fmt.Sprintf("not judged %s: table says NOT_AVAILABLE (%s); code says %v", k, why, s))
				}
			}
			if len(problems) > 0 {
				sort.Strings(problems)
				t.Errorf("%s disagrees with the table (%d):\n  %s", e.File, len(problems), strings.Join(problems, "\n  "))
			}
			wantCode := cli.ExitOK
			if len(want) > 0 {
				wantCode = cli.ExitFindings
			}
			if code != wantCode {
				t.Errorf("%s: exit status %d, want %d; stderr:\n%s", e.File, code, wantCode, stderr)
			}
		})
	}
}

// namesResources reports whether the entry tells resources apart (files holding several repositories or images).
func namesResources(e entry) bool {
	for _, x := range append(slices.Clip(e.Failed), e.NotAvailable...) {
		if x.Resource != "" {
			return true
		}
	}
	return false
}

// wantSet turns a list of table pairs into a set of keys, checking the list itself for mistakes.
func wantSet(t *testing.T, file string, pairs []expected, byResource bool) map[key]string {
	t.Helper()
	want := map[key]string{}
	for _, x := range pairs {
		if x.Rule == "" || x.Why == "" {
			t.Fatalf("table entry %s has a pair without rule or why: %+v", file, x)
		}
		if byResource && x.Resource == "" {
			t.Fatalf("table entry %s names resources for some pairs but not for %s", file, x.Rule)
		}
		k := key{rule: x.Rule, resource: x.Resource, container: x.Container}
		if _, dup := want[k]; dup {
			t.Fatalf("table entry %s lists %s twice", file, k)
		}
		want[k] = x.Why
	}
	return want
}

// lineColumn is how a JSON syntax error must be located for the user.
var lineColumn = regexp.MustCompile(`line \d+, column \d+`)

// rejected lists the corpus files that are valid JSON but that the scan must refuse, and why: they are not a
// shape the tool reads (cli.md), or the AWS API would refuse them too.
var rejected = map[string]string{
	"ecr/get-repository-policy-c7n-not-found-error.json":              "a recorded AWS error response, not a resource",
	"ecr/set-repository-policy-input-public-pull-awscli-example.json": "a bare policy document: names no repository",
	"ecr/put-image-scanning-configuration-output-awscli-example.json": "put-image-scanning-configuration output: not a supported shape",
	"ecr/put-image-tag-mutability-output-awscli-example.json":         "put-image-tag-mutability output: not a supported shape",
}

// partial lists the corpus files with known fields whose values the API refuses: each is an input error (exit 2, the
// file named on stderr), and the rest of the task definition is still scanned and reported.
var partial = map[string]string{
	// networkMode and requiresCompatibilities are unrendered {{placeholders}}: ECS refuses such values, and
	// guessing a network mode could hide host networking, so what they decide is NOT_AVAILABLE.
	"taskdefs/073-cwagent-prometheus-replica.json": "networkMode is the placeholder {{networkmode}}",
	// The API wants a list; ECS refuses the definition as written.
	"taskdefs/080-firelens-signalfx-secretoptions-object.json": "logConfiguration.secretOptions is an object, not a list",
}

// resourceless lists the supported files that describe no resource of their own.
var resourceless = map[string]string{
	"ecr/describe-image-scan-findings-awscli-example.json": "scan findings only name the top CVEs of an image described elsewhere",
}

// TestWholeCorpus scans every file of corpus/taskdefs and corpus/ecr one at a time: nothing panics, invalid JSON is
// reported with the file and a line and column (exit 2), and every other file is either reported or refused for a
// reason listed in rejected.
func TestWholeCorpus(t *testing.T) {
	requireCorpus(t)
	var files []string
	for _, dir := range []string{"taskdefs", "ecr"} {
		entries, err := os.ReadDir(filepath.Join(corpusDir, dir))
		if err != nil {
			t.Fatalf("read corpus: %v", err)
		}
		for _, d := range entries {
			if !d.IsDir() {
				files = append(files, dir+"/"+d.Name())
			}
		}
	}
	if len(files) < 100 {
		t.Fatalf("found only %d corpus files in taskdefs and ecr; is the corpus complete?", len(files))
	}
	slices.Sort(files)
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(corpusDir, filepath.FromSlash(name))
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			code, rep, stderr := scan(t, path)
			if strings.Contains(stderr, "internal error") {
				t.Errorf("%s: the loader crashed: %s", name, stderr)
			}
			switch why, refused := rejected[name]; {
			case !json.Valid(data):
				if code != cli.ExitError {
					t.Errorf("%s is not valid JSON: exit %d, want %d", name, code, cli.ExitError)
				}
				if !strings.Contains(stderr, path) || !lineColumn.MatchString(stderr) {
					t.Errorf("%s is not valid JSON: stderr must name the file and a line and column, got:\n%s", name, stderr)
				}
			case partial[name] != "":
				if code != cli.ExitError || !strings.Contains(stderr, path) || !lineColumn.MatchString(stderr) {
					t.Errorf("%s has refused fields (%s): want exit %d and the file, line and column on stderr; got exit %d, stderr:\n%s", name, partial[name], cli.ExitError, code, stderr)
				}
				n := 0
				if rep != nil {
					for _, f := range rep.Findings {
						if f.Source == path && f.Status == "FAILED" {
							n++
						}
					}
				}
				if n == 0 {
					t.Errorf("%s: the rest of the task definition was not reported", name)
				}
			case refused:
				if code != cli.ExitError || !strings.Contains(stderr, path) {
					t.Errorf("%s must be refused (%s) with exit %d and the file named on stderr; got exit %d, stderr:\n%s", name, why, cli.ExitError, code, stderr)
				}
			default:
				if code != cli.ExitOK && code != cli.ExitFindings {
					t.Fatalf("%s is a supported input but the scan failed with exit %d:\n%s", name, code, stderr)
				}
				if stderr != "" {
					t.Errorf("%s: unexpected stderr:\n%s", name, stderr)
				}
				n := 0
				if rep != nil {
					for _, f := range rep.Findings {
						if f.Source == path {
							n++
						}
					}
				}
				_, quiet := resourceless[name]
				switch {
				case quiet && n > 0:
					t.Errorf("%s describes no resource but has %d findings", name, n)
				case !quiet && n == 0:
					t.Errorf("%s is a supported input but no finding names it as its source", name)
				}
			}
		})
	}
}
