package report

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/load"
)

// BenchmarkWriter measures `ecsaudit scan --format asff` past evaluation: one op writes the ASFF of one corpus task
// definition's findings (about 26), cycling through the task definitions of shared/corpus/taskdefs that load.
func BenchmarkASFF(b *testing.B) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "corpus", "taskdefs", "*.json"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no task definitions in testdata/corpus: %v", err)
	}
	eng := engine.New(catalog.Default(), nil)
	var reports []*Report
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		set := load.NewSet(load.Options{Account: "111122223333", Region: "us-east-1"})
		if set.Add(f, data) != nil || len(set.Tasks) != 1 {
			continue
		}
		set.Link()
		reports = append(reports, &Report{Findings: eng.Evaluate(set.Resources(), asffNow), Now: asffNow})
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if err := (ASFF{}).Write(io.Discard, reports[n%len(reports)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
}
