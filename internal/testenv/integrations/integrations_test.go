// Package integrations tests the ready-made CI integrations at the repository's root: the GitHub Action
// (action.yml) and the pre-commit hook (.pre-commit-hooks.yaml), by running the commands they run.
package integrations

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"
)

var root = filepath.Join("..", "..", "..")

const privileged = `{"family": "web", "containerDefinitions": [{"name": "app", "image": "busybox:1", "privileged": true}]}`

type step struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	Shell            string            `yaml:"shell"`
	WorkingDirectory string            `yaml:"working-directory"`
	Env              map[string]string `yaml:"env"`
	Run              string            `yaml:"run"`
}

type action struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []step `yaml:"steps"`
	} `yaml:"runs"`
}

func readAction(t *testing.T) action {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a
}

func (a action) step(t *testing.T, name string) step {
	t.Helper()
	for _, s := range a.Runs.Steps {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("action.yml has no step %q", name)
	return step{}
}

// runStep runs a shell step's script with bash as the runner would: env holds the step's env (its expressions
// already replaced by the test) and the runner's files (GITHUB_OUTPUT, GITHUB_PATH).
func runStep(t *testing.T, s step, dir string, env map[string]string) (int, string) {
	t.Helper()
	if s.Shell != "bash" {
		t.Fatalf("step %q: shell %q, want bash", s.Name, s.Shell)
	}
	cmd := exec.Command("bash", "-e", "-c", s.Run)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	case err != nil:
		t.Fatalf("step %q: %v", s.Name, err)
	}
	return 0, string(out)
}

var (
	buildOnce sync.Once
	binDir    string
	buildErr  string
)

// build runs the action's build step once for the package: the CLI built from this repository as the action builds
// it, into a directory the pre-commit test reuses.
func build(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ecsaudit-bin")
		if err != nil {
			buildErr = err.Error()
			return
		}
		a := readAction(t)
		s := a.step(t, "Build ecsaudit")
		ghPath := filepath.Join(dir, "github_path")
		code, out := runStep(t, s, root, map[string]string{"BIN_DIR": dir, "GITHUB_PATH": ghPath})
		if code != 0 {
			buildErr = "build step exit " + strconv.Itoa(code) + ":\n" + out
			return
		}
		if p, _ := os.ReadFile(ghPath); strings.TrimSpace(string(p)) != dir {
			buildErr = "the build step added " + string(p) + " to GITHUB_PATH, want " + dir
			return
		}
		binDir = dir
	})
	if buildErr != "" {
		t.Fatal(buildErr)
	}
	return binDir
}

func readOutputs(t *testing.T, file string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			out[k] = v
		}
	}
	return out
}

// TestGitHubAction runs the action's steps that run commands: its build, its scan (whose exit status is kept until
// the SARIF log is uploaded) and the last step that sets the step's status from it. The download step needs the
// network and is only checked for syntax; the steps that use other actions are not run.
func TestGitHubAction(t *testing.T) {
	a := readAction(t)
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using %q, want composite", a.Runs.Using)
	}
	for _, s := range a.Runs.Steps {
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q expands an expression inside its script (script injection): pass it through env", s.Name)
		}
		if s.Run != "" {
			if out, err := exec.Command("bash", "-n", "-c", s.Run).CombinedOutput(); err != nil {
				t.Errorf("step %q is not valid bash: %v\n%s", s.Name, err, out)
			}
		}
	}
	bin := build(t)
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "task.json"), []byte(privileged), 0o644); err != nil {
		t.Fatal(err)
	}
	scan := a.step(t, "Scan")
	for _, tt := range []struct {
		failOn string
		want   string
	}{{a.Inputs["fail-on"].Default, "1"}, {"NONE", "0"}} {
		outputs := filepath.Join(work, "outputs-"+tt.failOn)
		sarif := filepath.Join(work, "out-"+tt.failOn+".sarif")
		code, out := runStep(t, scan, work, map[string]string{
			"PATH": bin + string(os.PathListSeparator) + os.Getenv("PATH"), "SCAN_PATH": a.Inputs["path"].Default,
			"FAIL_ON": tt.failOn, "CONFIG": "", "BASELINE": "", "SARIF_FILE": sarif, "GITHUB_OUTPUT": outputs,
		})
		if code != 0 {
			t.Fatalf("the scan step failed itself (exit %d): the upload would not run\n%s", code, out)
		}
		got := readOutputs(t, outputs)
		if got["exit-code"] != tt.want || got["sarif-file"] != sarif {
			t.Errorf("fail-on %s: outputs %v, want exit-code %s", tt.failOn, got, tt.want)
		}
		if !strings.Contains(out, "task.privileged-container") {
			t.Errorf("the step's log has no text report:\n%s", out)
		}
		var log struct {
			Runs []struct{ Results []struct{ RuleID string } }
		}
		data, _ := os.ReadFile(sarif)
		if err := json.Unmarshal(data, &log); err != nil || len(log.Runs) != 1 || len(log.Runs[0].Results) == 0 {
			t.Errorf("no SARIF log with results at %s (%v)", sarif, err)
		}
		final := a.step(t, "Set the step's status")
		if code, _ := runStep(t, final, work, map[string]string{"STATUS": got["exit-code"]}); strconv.Itoa(code) != tt.want {
			t.Errorf("the final step exits %d, want %s", code, tt.want)
		}
	}
	upload := a.step(t, "Upload SARIF")
	if !strings.HasPrefix(upload.Uses, "github/codeql-action/upload-sarif@") || !strings.Contains(upload.If, "always()") {
		t.Errorf("upload step: uses %q if %q; want the upload action, run even when the scan found something", upload.Uses, upload.If)
	}
}

// TestPreCommitHook runs the hook's entry with its arguments, as pre-commit does without file names, in a repository
// with nothing ecsaudit reads and then with a privileged task definition.
func TestPreCommitHook(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, ".pre-commit-hooks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID            string   `yaml:"id"`
		Entry         string   `yaml:"entry"`
		Args          []string `yaml:"args"`
		Language      string   `yaml:"language"`
		PassFilenames *bool    `yaml:"pass_filenames"`
	}
	if err := yaml.Unmarshal(data, &hooks); err != nil || len(hooks) != 1 {
		t.Fatalf(".pre-commit-hooks.yaml: %d hooks (%v)", len(hooks), err)
	}
	h := hooks[0]
	if h.ID != "ecsaudit" || h.Language != "golang" || h.PassFilenames == nil || *h.PassFilenames {
		t.Fatalf("hook %+v: want id ecsaudit, language golang, pass_filenames false", h)
	}
	bin := build(t)
	repo := t.TempDir()
	run := func() (int, string) {
		args := append(strings.Fields(h.Entry)[1:], h.Args...)
		cmd := exec.Command(filepath.Join(bin, strings.Fields(h.Entry)[0]), args...)
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	if err := os.WriteFile(filepath.Join(repo, "package.json"), []byte(`{"name": "app"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := run(); code != 0 {
		t.Fatalf("a repository with nothing ecsaudit reads: exit %d, want 0\n%s", code, out)
	}
	if err := os.WriteFile(filepath.Join(repo, "task.json"), []byte(privileged), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := run()
	if code != 1 || !strings.Contains(out, "task.privileged-container") || strings.Contains(out, "PASSED") {
		t.Errorf("a privileged task definition: exit %d, want 1 with only the failures shown:\n%s", code, out)
	}
}
