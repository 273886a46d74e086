package image

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/testenv/ruletest"
)

// TestFixtures runs every rule on its testdata/<rule-id> fixtures, the facts of an image as JSON (decoded
// strictly): fail_*.json must give a FAILED result, pass_*.json a PASSED one and no FAILED, na_*.json only
// NOT_APPLICABLE and nav_*.json only NOT_AVAILABLE. config.json, when present, holds the settings.
func TestFixtures(t *testing.T) {
	for _, r := range All() {
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join("testdata", r.ID)
			settings := rule.DefaultSettings()
			if data, err := os.ReadFile(filepath.Join(dir, "config.json")); err == nil {
				cfg, err := config.Parse("config.json", data, func(string) bool { return true })
				if err != nil {
					t.Fatal(err)
				}
				settings = cfg.Settings
			}
			files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
			var fails, passes int
			for _, f := range files {
				base := filepath.Base(f)
				if base == "config.json" {
					continue
				}
				img := readFixture(t, f)
				results := r.Check(img, &rule.Env{Settings: settings, Now: ruletest.Now})
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
				t.Errorf("rule %s needs at least one fail_*.json and one pass_*.json under %s (has %d and %d)", r.ID, dir, fails, passes)
			}
		})
	}
}

func readFixture(t *testing.T, path string) *model.ImageContents {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var img model.ImageContents
	if err := dec.Decode(&img); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &img
}

// check runs one rule on an image with the default settings.
func check(r *Rule, img *model.ImageContents) rule.Result {
	return r.Check(img, &rule.Env{Settings: rule.DefaultSettings(), Now: ruletest.Now})[0]
}
