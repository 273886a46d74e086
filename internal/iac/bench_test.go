package iac

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/load"
)

// BenchmarkReadJudge measures what a scan spends per task definition written in each format: one op is one corpus
// task definition read and judged. "register" is the loader on the original file, for comparison; "open-values" is
// testdata/iac/cloudformation/service.yaml, whose open values are judged on variants.
func BenchmarkReadJudge(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(corpusTaskDefs, "*.json"))
	type doc struct {
		name                  string
		orig, cfn, yaml, plan []byte
	}
	var docs []doc
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		set := load.NewSet(load.Options{})
		if set.Add(f, data) != nil || len(set.Tasks) != 1 || len(set.Images) > 0 {
			continue
		}
		tmpl := toTemplate(set.Tasks[0])
		cfn, _ := json.Marshal(tmpl)
		y, _ := marshalYAML(tmpl)
		p, _ := toPlan(set.Tasks[0])
		plan, _ := json.Marshal(p)
		docs = append(docs, doc{f, data, cfn, y, plan})
	}
	eng := engine.New(catalog.Default(), config.Default())
	run := func(b *testing.B, pick func(doc) []byte, register bool) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			d := docs[n%len(docs)]
			n++
			set := load.NewSet(load.Options{})
			if register {
				if err := set.Add(d.name, pick(d)); err != nil {
					b.Fatal(err)
				}
				eng.Evaluate(set.Resources(), evalTime)
				continue
			}
			rs, err := Read(set, Options{}, d.name, pick(d))
			if err != nil {
				b.Fatal(err)
			}
			Judge(eng, rs, evalTime)
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "taskdefs/s")
	}
	b.Run("register", func(b *testing.B) { run(b, func(d doc) []byte { return d.orig }, true) })
	b.Run("cloudformation-json", func(b *testing.B) { run(b, func(d doc) []byte { return d.cfn }, false) })
	b.Run("cloudformation-yaml", func(b *testing.B) { run(b, func(d doc) []byte { return d.yaml }, false) })
	b.Run("terraform-plan", func(b *testing.B) { run(b, func(d doc) []byte { return d.plan }, false) })
	svc, err := os.ReadFile(filepath.Join(fixtures, "cloudformation", "service.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("open-values", func(b *testing.B) { run(b, func(doc) []byte { return svc }, false) })
}
