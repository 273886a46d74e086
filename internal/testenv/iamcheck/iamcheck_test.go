package iamcheck

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsaudit/ecsaudit/internal/testenv/demo"
	"github.com/ecsaudit/ecsaudit/internal/testenv/faults"
	"github.com/ecsaudit/ecsaudit/internal/testenv/template"
)

func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

func load(t *testing.T) (*Table, *template.Template) {
	t.Helper()
	table, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := template.Load(filepath.Join(root(), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return table, tpl
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, action string
		want            bool
	}{
		{"kms:GenerateDataKey*", "kms:GenerateDataKey", true},
		{"kms:GenerateDataKey*", "kms:GenerateDataKeyWithoutPlaintext", true},
		{"kms:GenerateDataKey*", "kms:Decrypt", false},
		{"ecs:Describe*", "ECS:DescribeTaskDefinition", true},
		{"*", "ecr:PutImage", true},
		{"ecr:*", "ecs:ListTaskDefinitions", false},
		{"ecs:List?askDefinitions", "ecs:ListTaskDefinitions", true},
		{"ecs:ListTaskDefinitions", "ecs:ListTaskDefinitionFamilies", false},
		{"dynamodb:*Item", "dynamodb:BatchWriteItem", true},
		{"dynamodb:*Item", "dynamodb:Query", false},
	} {
		if got := Match(c.pattern, c.action); got != c.want {
			t.Errorf("Match(%q, %q) = %v", c.pattern, c.action, got)
		}
	}
	for action, want := range map[string]bool{
		"ecs:DescribeTaskDefinition": false, "ecr:GetLifecyclePolicy": false, "kms:Decrypt": false,
		"ecs:RegisterTaskDefinition": true, "ecs:TagResource": true, "ecr:PutImage": true, "ecr:BatchDeleteImage": true,
		"ecr:SetRepositoryPolicy": true, "kms:ScheduleKeyDeletion": true, "ecs:Describe*": true, "ecr:*": true,
		"dynamodb:PutItem": false, "sns:Publish": false,
	} {
		if ChangesAudited(action) != want {
			t.Errorf("ChangesAudited(%s) = %v", action, !want)
		}
	}
}

// The table and template.yaml agree: every call the table lists is granted to the function's role, every grant is a
// call, an action AWS performs on the function's behalf, or an unused grant the table names with a reason; and the
// table covers exactly the template's functions.
func TestTableMatchesTemplate(t *testing.T) {
	table, tpl := load(t)
	fns := tpl.OfType("AWS::Serverless::Function")
	var listed []string
	for name := range table.Functions {
		listed = append(listed, name)
	}
	sort.Strings(listed)
	if !slices.Equal(fns, listed) {
		t.Fatalf("actions.json lists functions %v, the template has %v", listed, fns)
	}
	for _, name := range fns {
		entry := table.Functions[name]
		id, err := FunctionIdentity(tpl, name)
		if err != nil {
			t.Fatal(err)
		}
		if len(id.Managed) > 0 {
			t.Errorf("%s: role %s has managed policies %v, which this check cannot read", name, id.Role, id.Managed)
		}
		var policies []string
		for _, s := range id.Statements {
			if !slices.Contains(policies, s.Policy) {
				policies = append(policies, s.Policy)
			}
		}
		want := append([]string{entry.Policy}, entry.AlsoPolicies...)
		slices.Sort(policies)
		slices.Sort(want)
		if !slices.Equal(policies, want) {
			t.Errorf("%s: permissions come from %v, actions.json names %v", name, policies, want)
		}
		for _, a := range entry.Calls {
			if _, free := table.NoPermission[a]; free {
				continue
			}
			if !Allows(id.Statements, a) {
				t.Errorf("%s calls %s, which %s does not grant", name, a, entry.Policy)
			}
		}
		for a := range entry.OnBehalf {
			if !Allows(id.Statements, a) {
				t.Errorf("%s: %s is needed on the function's behalf (%s) but %s does not grant it", name, a, entry.OnBehalf[a], entry.Policy)
			}
		}
		for a, why := range entry.UnusedGrants {
			if slices.Contains(entry.Calls, a) {
				t.Errorf("%s: %s is both a call and an unused grant", name, a)
			}
			if strings.TrimSpace(why) == "" {
				t.Errorf("%s: unused grant %s without a reason", name, a)
			}
			if !Allows(id.Statements, a) {
				t.Errorf("%s: unused grant %s is not granted any more: drop it from actions.json", name, a)
			}
		}
		for _, s := range id.Statements {
			for _, a := range s.Actions {
				_, behalf := entry.OnBehalf[a]
				_, unused := entry.UnusedGrants[a]
				if !slices.Contains(entry.Calls, a) && !behalf && !unused {
					t.Errorf("%s: %s (statement %s) grants %s, which actions.json does not list", name, s.Policy, s.Sid, a)
				}
			}
		}
		for a := range entry.UnusedGrants {
			t.Logf("%s: granted, never called: %s (%s)", name, a, entry.UnusedGrants[a])
		}
	}
}

// No identity policy grants "*" or a whole service, uses NotAction or NotResource, or denies (which would hide a
// grant from these checks); a narrower wildcard must be one the table names with its reason; a "*" resource is only
// for actions the Service Authorization Reference gives no resource type.
func TestNoWildcardActionsOrResources(t *testing.T) {
	table, tpl := load(t)
	stmts, err := IdentityPolicies(tpl)
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) == 0 {
		t.Fatal("no identity policy statements found: the check would pass vacuously")
	}
	for action, page := range table.NoResourceLevel {
		if !strings.HasPrefix(page, "https://docs.aws.amazon.com/service-authorization/latest/reference/list_") {
			t.Errorf("noResourceLevel %s: %q is not a Service Authorization Reference page", action, page)
		}
	}
	for pattern, page := range table.Wildcards {
		if !strings.HasPrefix(page, "https://docs.aws.amazon.com/") {
			t.Errorf("wildcard %s: %q is not an AWS documentation page", pattern, page)
		}
	}
	for _, s := range stmts {
		where := s.Policy + " " + s.Sid
		if s.Effect != "Allow" || s.NotAction || s.NotResource {
			t.Errorf("%s: Effect %s, NotAction %v, NotResource %v: only plain Allow statements are expected", where, s.Effect, s.NotAction, s.NotResource)
		}
		for _, a := range s.Actions {
			service, name, ok := strings.Cut(a, ":")
			switch {
			case a == "*" || !ok || name == "*" || service == "*":
				t.Errorf("%s: action %q grants everything", where, a)
			case strings.ContainsAny(a, "*?"):
				if _, listed := table.Wildcards[a]; !listed {
					t.Errorf("%s: wildcard action %q is not in actions.json's wildcards", where, a)
				}
			}
			if s.AnyResource() {
				if _, ok := table.NoResourceLevel[a]; !ok {
					t.Errorf("%s: %s on resource \"*\", but actions.json does not list it as having no resource-level permission", where, a)
				}
			}
		}
	}
}

// No policy grants a function anything that changes what it audits (task definitions, repositories, images, keys,
// scan findings, trails).
func TestPoliciesChangeNothingAudited(t *testing.T) {
	_, tpl := load(t)
	stmts, err := IdentityPolicies(tpl)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		for _, a := range s.Actions {
			if ChangesAudited(a) {
				t.Errorf("%s %s grants %s, which changes what the auditor audits", s.Policy, s.Sid, a)
			}
		}
	}
}

// TestCallsArePermitted runs each function on the sample events, a sweep (twice: the second reuses the first's
// records) and the failure paths that read more (a revision that cannot be described is looked up in a listing),
// with every SDK call recorded per function. Each call must be in the table for that function and granted by its
// policy in template.yaml, and none may change what the auditor audits.
func TestCallsArePermitted(t *testing.T) {
	ctx := context.Background()
	table, tpl := load(t)
	e, err := demo.StartWith(ctx, root(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	proxy := faults.New(e.Shim, faults.Options{})
	recorders := map[string]*Recorder{}
	err = e.Reroute(ctx, nil, func(fn string) demo.Route {
		rec := NewRecorder()
		recorders[fn] = rec
		return demo.Route{Handler: proxy.Handler(fn), Config: func(cfg *aws.Config) { cfg.APIOptions = append(cfg.APIOptions, rec.Add) }}
	})
	if err != nil {
		t.Fatal(err)
	}
	deliver := func(function, file string) error {
		raw, err := os.ReadFile(filepath.Join(root(), "events", file))
		if err != nil {
			t.Fatal(err)
		}
		return e.Funcs[function].Handle(ctx, raw)
	}
	done := map[string]bool{}
	for _, s := range demo.Steps() {
		if err := s.Apply(ctx, e); err != nil {
			t.Fatalf("apply %s: %v", s.Event, err)
		}
		if err := deliver(s.Function, s.Event); err != nil {
			t.Errorf("%s on %s: %v", s.Function, s.Event, err)
		}
		done[s.Event] = true
		if s.Event == "ecs-register-task-definition.json" {
			// web:7 is registered and runs the scanned image. While no revision can be described, a registration
			// and a completed scan (which re-audits the revisions running the image) look the revision up in a
			// listing before giving up: those reads need permissions too. Both events fail and are retried.
			proxy.Plan("ecs:DescribeTaskDefinition", "", faults.ServerError, -1)
			if err := deliver("TaskDefinitionAuditor", "ecs-register-task-definition.json"); err == nil {
				t.Error("the registration was acknowledged while the revision could not be described")
			}
			if err := deliver("EcrAuditor", "ecr-image-scan.json"); err == nil {
				t.Error("the scan was acknowledged while the revisions running the image could not be described")
			}
			proxy.ClearPlans()
		}
	}
	files, err := filepath.Glob(filepath.Join(root(), "events", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		if done[name] {
			continue
		}
		fn := functionFor(t, f)
		if err := deliver(fn, name); err != nil {
			t.Logf("%s on %s: %v", fn, name, err)
		}
	}
	if err := deliver("Sweeper", "scheduled-sweep.json"); err != nil {
		t.Errorf("second sweep: %v", err)
	}

	for _, fn := range demo.FunctionNames {
		entry := table.Functions[fn]
		id, err := FunctionIdentity(tpl, fn)
		if err != nil {
			t.Fatal(err)
		}
		calls := recorders[fn].Actions()
		if len(calls) < 3 {
			t.Fatalf("%s made only %v: the check would pass vacuously", fn, calls)
		}
		t.Logf("%s called %s", fn, strings.Join(calls, " "))
		for _, a := range calls {
			_, free := table.NoPermission[a]
			if !slices.Contains(entry.Calls, a) {
				t.Errorf("%s called %s, which actions.json does not list for it", fn, a)
			}
			if !free && !Allows(id.Statements, a) {
				t.Errorf("%s called %s, which %s in template.yaml does not grant", fn, a, entry.Policy)
			}
			if ChangesAudited(a) {
				t.Errorf("%s called %s, which changes what it audits", fn, a)
			}
		}
		var never []string
		for _, a := range entry.Calls {
			if !slices.Contains(calls, a) {
				never = append(never, a)
			}
		}
		if len(never) > 0 {
			t.Logf("%s: listed but not called in this run: %s", fn, strings.Join(never, " "))
		}
	}
}

// functionFor routes a sample event as the template's rules do: ECS API calls to the task definition auditor,
// ECR and Inspector events to the ECR auditor, the schedule to the sweeper.
func functionFor(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Source string `json:"source"`
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	switch ev.Source {
	case "aws.ecs":
		return "TaskDefinitionAuditor"
	case "aws.ecr", "aws.inspector2":
		return "EcrAuditor"
	case "aws.events":
		return "Sweeper"
	}
	t.Fatalf("%s: no function receives it", path)
	return ""
}
