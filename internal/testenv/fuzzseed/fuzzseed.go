// Package fuzzseed reads the seed inputs of fuzz targets.
package fuzzseed

import (
	"os"
	"path/filepath"
	"testing"
)

// Files reads every regular file of each directory. A missing or empty directory fails the test: a fuzz target
// that silently lost its seeds would still pass while exploring far less.
func Files(tb testing.TB, dirs ...string) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			tb.Fatalf("seed corpus: %v", err)
		}
		n := 0
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				tb.Fatalf("seed corpus: %v", err)
			}
			out = append(out, data)
			n++
		}
		if n == 0 {
			tb.Fatalf("seed corpus: no files in %s", dir)
		}
	}
	return out
}
