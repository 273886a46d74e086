package load

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkLoad measures what a scan spends reading one task definition: a new set, the input added, the set
// linked. It cycles through the corpus's valid task definitions, so the figure is an average over real documents.
func BenchmarkLoad(b *testing.B) {
	files, err := filepath.Glob(fuzzCorpus + "/taskdefs/*.json")
	if err != nil {
		b.Fatal(err)
	}
	opts := Options{Account: "111122223333", Region: "us-east-1"}
	type input struct {
		name string
		data []byte
	}
	var inputs []input
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		// The corpus holds invalid documents on purpose; only a document that loads as one task definition is
		// what the benchmark is about.
		s := NewSet(opts)
		if s.Add(f, data) == nil && len(s.Tasks) == 1 {
			inputs = append(inputs, input{f, data})
		}
	}
	if len(inputs) == 0 {
		b.Fatalf("no valid task definitions in %s/taskdefs", fuzzCorpus)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		in := inputs[i%len(inputs)]
		s := NewSet(opts)
		if err := s.Add(in.name, in.data); err != nil {
			b.Fatal(err)
		}
		s.Link()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "taskdefs/s")
}
