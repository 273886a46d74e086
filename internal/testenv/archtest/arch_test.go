// Package archtest holds the architecture test: the package boundaries docs/architecture.md draws, checked on the
// import graph that `go list` reports, so that a change crossing one fails here rather than in a review.
package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
)

const (
	module   = "github.com/ecsaudit/ecsaudit"
	sdk      = "github.com/aws/aws-sdk-go-v2/"
	service  = sdk + "service/"
	dynamodb = service + "dynamodb"
)

// awsEdge are the shipped packages that may build or call an AWS service client: the reader, the state table's
// owner, the publisher (Security Hub and SNS), the Lambda wiring and the CLI's sweep command. Anything else asks them.
var awsEdge = []string{"internal/source", "internal/state", "internal/publish", "internal/lambdafn", "internal/cli"}

// stateWriters may import the DynamoDB client: the state table's owner and the wiring that hands it a client.
var stateWriters = []string{"internal/state", "internal/lambdafn"}

// pure are the packages that decide findings: they import no I/O and no package that does.
var pure = []string{"internal/rule", "internal/rules/", "internal/engine", "internal/model", "internal/config", "internal/redact"}

// impure are imports a pure package must not have.
var impure = []string{
	"os", "os/exec", "net", "net/http", "io/fs", "io/ioutil", "syscall",
	module + "/internal/source", module + "/internal/state", module + "/internal/publish", module + "/internal/load",
	module + "/internal/lambdafn", module + "/internal/cli", module + "/internal/report", module + "/internal/sweep",
	module + "/internal/iac",
}

// cliOnly are the CLI's packages: no Lambda binary may contain them.
var cliOnly = []string{"internal/cli", "internal/load", "internal/iac", "internal/report"}

// fileReaders are the readers of files (the loader and the template reader) that the CloudFormation hook shares with
// the CLI: the hook's binary may contain them, not the CLI or its reports.
var fileReaders = []string{"internal/load", "internal/iac"}

// hookFunction is the CloudFormation hook's main package.
const hookFunction = "functions/cfn-hook"

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Standard   bool
}

func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// list runs go list -json over patterns in the repository.
func list(t *testing.T, patterns ...string) []pkg {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-json"}, patterns...)...)
	cmd.Dir = root()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(patterns, " "), err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// rel is a package's path inside the module.
func rel(path string) string { return strings.TrimPrefix(path, module+"/") }

// shipped reports whether a package is part of what ships: not test support, not a development command.
func shipped(path string) bool {
	r := rel(path)
	return !strings.HasPrefix(r, "internal/testenv/") && r != "cmd/demo" && r != "cmd/bench-sweep"
}

// serviceClient reports whether an import is an AWS service client (its types and internal packages are not).
func serviceClient(imp string) bool {
	if !strings.HasPrefix(imp, service) {
		return false
	}
	parts := strings.Split(strings.TrimPrefix(imp, service), "/")
	return len(parts) == 1 && parts[0] != "internal"
}

func under(path string, prefixes []string) bool {
	r := rel(path)
	for _, p := range prefixes {
		if r == p || (strings.HasSuffix(p, "/") && strings.HasPrefix(r, p)) {
			return true
		}
	}
	return false
}

func TestOnlyTheEdgeCallsAWS(t *testing.T) {
	var callers []string
	for _, p := range list(t, "./...") {
		if !shipped(p.ImportPath) {
			continue
		}
		var clients []string
		for _, imp := range p.Imports {
			if serviceClient(imp) || strings.HasPrefix(imp, sdk+"aws/signer") || strings.HasPrefix(imp, sdk+"credentials/stscreds") {
				clients = append(clients, strings.TrimPrefix(imp, sdk))
			}
		}
		if len(clients) == 0 {
			continue
		}
		callers = append(callers, rel(p.ImportPath))
		if !under(p.ImportPath, awsEdge) {
			t.Errorf("%s imports %s: only %s may call AWS; ask the reader (internal/source) or the publisher",
				rel(p.ImportPath), strings.Join(clients, ", "), strings.Join(awsEdge, ", "))
		}
	}
	if len(callers) > 6 {
		t.Errorf("%d shipped packages import AWS service clients (at most six): %s", len(callers), strings.Join(callers, ", "))
	}
	t.Logf("packages that call AWS: %s", strings.Join(callers, ", "))
}

func TestOneOwnerOfTheStateTable(t *testing.T) {
	for _, p := range list(t, "./...") {
		if shipped(p.ImportPath) && slices.Contains(p.Imports, dynamodb) && !under(p.ImportPath, stateWriters) {
			t.Errorf("%s imports the DynamoDB client: the state table has one owner, internal/state", rel(p.ImportPath))
		}
	}
}

func TestRulesAndEngineArePure(t *testing.T) {
	for _, p := range list(t, "./...") {
		if !under(p.ImportPath, pure) {
			continue
		}
		for _, imp := range p.Imports {
			if slices.Contains(impure, imp) || serviceClient(imp) {
				t.Errorf("%s imports %s: rules, the engine and the model do no I/O", rel(p.ImportPath), imp)
			}
		}
	}
}

func TestLambdasDoNotContainTheCLI(t *testing.T) {
	fns := list(t, "./functions/...")
	if len(fns) == 0 {
		t.Fatal("no packages under functions/")
	}
	for _, fn := range fns {
		var bad []string
		for _, d := range fn.Deps {
			if !strings.HasPrefix(d, module+"/") || !under(d, cliOnly) {
				continue
			}
			if rel(fn.ImportPath) == hookFunction && under(d, fileReaders) {
				continue // the hook evaluates template properties through the template reader
			}
			bad = append(bad, rel(d))
		}
		sort.Strings(bad)
		if len(bad) > 0 {
			t.Errorf("%s depends on %s: a Lambda binary carries no CLI, loader or report code", rel(fn.ImportPath), strings.Join(bad, ", "))
		}
	}
}

// TestTheCheckCatchesAViolation guards the test itself: the classification above must see the imports it is about.
func TestTheCheckCatchesAViolation(t *testing.T) {
	if !serviceClient(service+"ecs") || serviceClient(service+"ecs/types") || serviceClient(service+"internal/checksum") {
		t.Error("serviceClient misclassifies SDK packages")
	}
	if !under(module+"/internal/rules/taskdef", pure) || under(module+"/internal/report", pure) {
		t.Error("under misclassifies packages")
	}
	if shipped(module+"/internal/testenv/emulator") || !shipped(module+"/internal/sweep") {
		t.Error("shipped misclassifies packages")
	}
	var sawEdge bool
	for _, p := range list(t, "./internal/source") {
		for _, imp := range p.Imports {
			sawEdge = sawEdge || serviceClient(imp)
		}
	}
	if !sawEdge {
		t.Error("internal/source shows no AWS service client import: go list output is not read as expected")
	}
}
