package iac

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/load"
)

var corpusTaskDefs = filepath.Join("..", "..", "testdata", "corpus", "taskdefs")

var evalTime = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// verdicts renders findings as comparable lines: rule, container, status, severity and detail.
func verdicts(fs []engine.Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s [%s] %s %s: %s", f.Rule.ID, f.Container, f.Status, f.Severity, f.Detail))
	}
	sort.Strings(out)
	return out
}

// TestCorpusEquivalence writes every task definition of the corpus as CloudFormation JSON, CloudFormation YAML and
// a Terraform plan, and checks that each gives the findings its original file gives.
func TestCorpusEquivalence(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpusTaskDefs, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus task definitions in %s (%v)", corpusTaskDefs, err)
	}
	eng := engine.New(catalog.Default(), config.Default())
	compared := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		set := load.NewSet(load.Options{})
		if err := set.Add(file, data); err != nil {
			continue // the corpus's deliberately unreadable files are the loader's tests, not these
		}
		set.Link()
		for i, td := range set.Tasks {
			if len(set.Images) > 0 {
				continue // images given beside the task: a template cannot carry them
			}
			// The template written says all there is of the revision's tags, none when the original did not say.
			td.TagsKnown = true
			want := verdicts(eng.EvaluateOne(td, evalTime))
			name := fmt.Sprintf("%s#%d", filepath.Base(file), i)
			tmpl := toTemplate(td)
			cfnJSON, err := json.MarshalIndent(tmpl, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			cfnYAML, err := marshalYAML(tmpl)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := toPlan(td)
			if err != nil {
				t.Fatal(err)
			}
			tfJSON, err := json.MarshalIndent(plan, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				format string
				data   []byte
			}{{"template.json", cfnJSON}, {"template.yaml", cfnYAML}, {"plan.json", tfJSON}} {
				rs, err := Read(load.NewSet(load.Options{}), Options{}, name+"."+c.format, c.data)
				if err != nil {
					t.Errorf("%s as %s: %v", name, c.format, err)
					continue
				}
				if len(rs) != 1 {
					t.Errorf("%s as %s: %d resources, want 1", name, c.format, len(rs))
					continue
				}
				got := verdicts(Judge(eng, rs, evalTime))
				if d := diff(want, got); d != "" {
					t.Errorf("%s as %s differs from the original (- original, + converted):\n%s", name, c.format, d)
				}
			}
			compared++
		}
	}
	if compared < 70 {
		t.Errorf("compared %d corpus task definitions, want the corpus's (at least 70)", compared)
	}
	t.Logf("%d task definitions compared in three formats", compared)
}

func diff(want, got []string) string {
	w := map[string]int{}
	for _, s := range want {
		w[s]++
	}
	for _, s := range got {
		w[s]--
	}
	var out []string
	for s, n := range w {
		switch {
		case n > 0:
			out = append(out, "- "+s)
		case n < 0:
			out = append(out, "+ "+s)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}
