package fuzzseed

import (
	"os"
	"path/filepath"
	"testing"
)

// fatalTB records a Fatalf instead of stopping the test.
type fatalTB struct {
	testing.TB
	failed bool
}

func (f *fatalTB) Helper()               {}
func (f *fatalTB) Fatalf(string, ...any) { f.failed = true }

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"a.json": "{}", "b.json": "[]"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := Files(t, dir); len(got) != 2 {
		t.Errorf("read %d files, want the 2 regular ones", len(got))
	}
	for _, bad := range []string{filepath.Join(dir, "missing"), filepath.Join(dir, "sub")} {
		tb := &fatalTB{TB: t}
		Files(tb, bad)
		if !tb.failed {
			t.Errorf("%s: a missing or empty directory must fail the test", bad)
		}
	}
}
