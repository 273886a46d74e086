package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/rules/taskdef"
)

type corpusDoc struct {
	name string
	data []byte
}

// corpusTaskDefs reads the task definitions of testdata/corpus that load; the invalid ones (kept there on purpose)
// are left out so every iteration measures a full load and evaluation.
func corpusTaskDefs(b *testing.B) []corpusDoc {
	b.Helper()
	dir := filepath.Join("..", "..", "testdata", "corpus", "taskdefs")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no task definitions under %s (testdata/corpus): %v", dir, err)
	}
	var docs []corpusDoc
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		set := load.NewSet(load.Options{})
		if set.Add(f, data) != nil || len(set.Tasks) != 1 {
			continue
		}
		docs = append(docs, corpusDoc{f, data})
	}
	if len(docs) == 0 {
		b.Fatalf("no valid task definition under %s", dir)
	}
	return docs
}

// BenchmarkLoadEvaluate measures what a scan spends per task definition: one op is one corpus file loaded, linked
// and evaluated with the shipped catalog. The sub-benchmarks split the two phases, and "decode-floor" measures one
// plain json.Unmarshal of the same bytes into the SDK type: the loader's own cost is what it adds to that.
func BenchmarkLoadEvaluate(b *testing.B) {
	docs := corpusTaskDefs(b)
	eng := engine.New(catalog.Default(), nil)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	opts := load.Options{Account: "111122223333", Region: "us-east-1"}
	loadOne := func(d corpusDoc) *load.Set {
		set := load.NewSet(opts)
		if err := set.Add(d.name, d.data); err != nil {
			b.Fatal(err)
		}
		set.Link()
		return set
	}
	perTaskDef := func(b *testing.B, n int) {
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "taskdefs/s")
	}

	b.Run("load+evaluate", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			set := loadOne(docs[n%len(docs)])
			eng.Evaluate(set.Resources(), now)
			n++
		}
		perTaskDef(b, n)
	})
	b.Run("load", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			loadOne(docs[n%len(docs)])
			n++
		}
		perTaskDef(b, n)
	})
	b.Run("evaluate", func(b *testing.B) {
		tasks := make([]*model.TaskDefinition, len(docs))
		for i, d := range docs {
			tasks[i] = loadOne(d).Tasks[0]
		}
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			eng.EvaluateOne(tasks[n%len(tasks)], now)
			n++
		}
		perTaskDef(b, n)
	})
	b.Run("decode-floor", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			var v struct {
				ecstypes.TaskDefinition
				Wrapped *ecstypes.TaskDefinition `json:"taskDefinition"`
			}
			_ = json.Unmarshal(docs[n%len(docs)].data, &v) // cpu and memory as numbers fail here; the cost is what counts
			n++
		}
		perTaskDef(b, n)
	})
}

// BenchmarkRuleCost splits the evaluation by rule: one op is one rule's Check on one loaded corpus task
// definition, cycling, with the default settings. It says where evaluation time goes.
func BenchmarkRuleCost(b *testing.B) {
	docs := corpusTaskDefs(b)
	tasks := make([]*model.TaskDefinition, len(docs))
	for i, d := range docs {
		set := load.NewSet(load.Options{Account: "111122223333", Region: "us-east-1"})
		if err := set.Add(d.name, d.data); err != nil {
			b.Fatal(err)
		}
		set.Link()
		tasks[i] = set.Tasks[0]
	}
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	for _, ru := range taskdef.All() {
		b.Run(ru.ID, func(b *testing.B) {
			b.ReportAllocs()
			env := &rule.Env{Settings: rule.DefaultSettings(), Now: now}
			n := 0
			for b.Loop() {
				ru.Check(tasks[n%len(tasks)], env)
				n++
			}
		})
	}
}
