// Package ruletest runs rules on JSON for tests: table tests of one rule, and the fixture directories that
// every rule must have (testdata/<rule-id>/fail_*.json and pass_*.json, optionally na_*.json and config.json).
package ruletest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Now is the fixed evaluation time of rule tests.
var Now = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// Resources loads JSON documents strictly (unknown fields fail the test) and returns the resources of type R.
func Resources[R model.Resource](t testing.TB, docs ...string) []R {
	t.Helper()
	s := load.NewSet(load.Options{Strict: true, Account: "111122223333", Region: "us-east-1"})
	for i, d := range docs {
		if err := s.Add("doc"+string(rune('0'+i))+".json", []byte(d)); err != nil {
			t.Fatalf("load: %v", err)
		}
	}
	s.Link()
	return pick[R](s)
}

func pick[R model.Resource](s *load.Set) []R {
	var out []R
	for _, x := range s.Resources() {
		if r, ok := x.(R); ok {
			out = append(out, r)
		}
	}
	return out
}

// Check loads docs, runs one rule on the first resource of its type, and returns the results.
func Check[R model.Resource](t testing.TB, r *rule.Rule[R], settings *rule.Settings, docs ...string) []rule.Result {
	t.Helper()
	rs := Resources[R](t, docs...)
	if len(rs) == 0 {
		t.Fatalf("no resource of the rule's type in the input")
	}
	if settings == nil {
		settings = rule.DefaultSettings()
	}
	return r.Check(rs[0], &rule.Env{Settings: settings, Now: Now})
}

// Statuses maps each result's container ("" for resource-level results) to its status.
func Statuses(rs []rule.Result) map[string]rule.Status {
	m := map[string]rule.Status{}
	for _, r := range rs {
		m[r.Container] = r.Status
	}
	return m
}

// Fixtures runs every fixture of every rule, each loaded as a file the CLI reads (see FixturesOf).
func Fixtures[R model.Resource](t *testing.T, rules []*rule.Rule[R], dir string) {
	FixturesOf(t, rules, dir, func(t *testing.T, data []byte) R {
		rs := Resources[R](t, string(data))
		if len(rs) == 0 {
			t.Fatalf("no resource of the rule's type in the input")
		}
		return rs[0]
	})
}

// FixturesOf runs every fixture of every rule, read with decode: fail_*.json must give at least one FAILED result,
// pass_*.json none and at least one PASSED, na_*.json only NOT_APPLICABLE, nav_*.json only NOT_AVAILABLE. Each rule
// needs at least one fail_ and one pass_ file; config.json, when present, holds the settings.
func FixturesOf[R model.Resource](t *testing.T, rules []*rule.Rule[R], dir string, decode func(t *testing.T, data []byte) R) {
	for _, r := range rules {
		t.Run(r.ID, func(t *testing.T) {
			rdir := filepath.Join(dir, r.ID)
			settings := rule.DefaultSettings()
			if data, err := os.ReadFile(filepath.Join(rdir, "config.json")); err == nil {
				cfg, err := config.Parse("config.json", data, func(string) bool { return true })
				if err != nil {
					t.Fatal(err)
				}
				settings = cfg.Settings
			}
			files, _ := filepath.Glob(filepath.Join(rdir, "*.json"))
			var fails, passes int
			for _, f := range files {
				base := filepath.Base(f)
				if base == "config.json" {
					continue
				}
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				results := r.Check(decode(t, data), &rule.Env{Settings: settings, Now: Now})
				count := map[rule.Status]int{}
				for _, res := range results {
					count[res.Status]++
				}
				switch {
				case strings.HasPrefix(base, "fail_"):
					fails++
					if count[rule.Failed] == 0 {
						t.Errorf("%s: want a FAILED result, got %v", base, results)
					}
				case strings.HasPrefix(base, "pass_"):
					passes++
					if count[rule.Failed] > 0 || count[rule.Passed] == 0 {
						t.Errorf("%s: want PASSED and no FAILED, got %v", base, results)
					}
				case strings.HasPrefix(base, "na_"):
					if len(results) == 0 || count[rule.NotApplicable] != len(results) {
						t.Errorf("%s: want only NOT_APPLICABLE, got %v", base, results)
					}
				case strings.HasPrefix(base, "nav_"):
					if len(results) == 0 || count[rule.NotAvailable] != len(results) {
						t.Errorf("%s: want only NOT_AVAILABLE, got %v", base, results)
					}
				default:
					t.Errorf("%s: fixture names start with fail_, pass_, na_ or nav_", base)
				}
			}
			if fails == 0 || passes == 0 {
				t.Errorf("rule %s needs at least one fail_*.json and one pass_*.json under %s (has %d and %d)", r.ID, rdir, fails, passes)
			}
		})
	}
}
