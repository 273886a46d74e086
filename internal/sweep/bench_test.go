package sweep_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/sweep"
	"github.com/ecsaudit/ecsaudit/internal/testenv/bench"
)

// TestBenchSweepSmall is `make bench-sweep-small` in CI: 1,000 revisions in every-ACTIVE-revision mode. The sweeper
// runs in its own process, built without the race detector as it is released, so that its peak memory is its own.
func TestBenchSweepSmall(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bench-sweep")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/bench-sweep")
	build.Dir = filepath.Join("..", "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the benchmark: %v\n%s", err, out)
	}
	rep, err := bench.Run(context.Background(), bench.Options{
		Size: bench.Small(), Mode: sweep.ModeAll, Dir: dir,
		Command: func() *exec.Cmd { return exec.Command(bin) },
	})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := rep.Print(&out); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	n := bench.Small().Revisions
	if got := rep.Describes(0); got < n || float64(got) > 1.02*float64(n) {
		t.Errorf("first sweep: %d describes for %d revisions (target: each once, at most 2 %% retries)", got, n)
	}
	if got := rep.Describes(1); got != 0 {
		t.Errorf("unchanged sweep: %d describes, want 0", got)
	}
	if got := rep.Describes(2); got != n/100 {
		t.Errorf("after 1 %% new revisions: %d describes, want %d", got, n/100)
	}
	if mb := rep.PeakRSSMB(); mb <= 0 || mb >= 100 {
		t.Errorf("peak RSS of the sweeper %.1f MiB, want above 0 and under 100", mb)
	}
	// The first sweep completes the running index: it lists the revisions again before it evaluates them with it.
	if got := rep.Lists(0); got != 2*n/100 {
		t.Errorf("first sweep listed in %d calls, want %d pages of 100, twice", got, n/100)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := regexp.MustCompile(`^sweep: revisions=1000 first_describe_calls=\d+ first_list_calls=\d+ second_describe_calls=\d+ third_describe_calls=\d+ peak_rss_mb=[\d.]+ first_wall_s=[\d.]+$`)
	if !last.MatchString(lines[len(lines)-1]) {
		t.Errorf("last line %q is not the summary line", lines[len(lines)-1])
	}
	if failed := rep.Failed(); len(failed) > 0 {
		t.Errorf("targets missed: %v", failed)
	}
}
