// Command bench-sweep measures the sweep against the local AWS emulator: `make bench-sweep` (10,000 revisions) and
// `make bench-sweep-small` (1,000). It seeds moto_server, runs the sweeper three times in a child process (this
// program again), prints a table of AWS calls by API with wall times and peak memory, and as its last line the
// summary the issue asks for. It exits 1 when a target is missed.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"

	"github.com/ecsaudit/ecsaudit/internal/sweep"
	"github.com/ecsaudit/ecsaudit/internal/testenv/bench"
)

func main() {
	if bench.IsChild() {
		os.Exit(bench.ChildMain(os.Stdout))
	}
	small := flag.Bool("small", false, "the 1,000-revision account instead of the 10,000-revision one")
	mode := flag.String("mode", sweep.ModeAll, "revision mode: all or latest")
	flag.Parse()
	size := bench.Full()
	if *small {
		size = bench.Small()
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-sweep:", err)
		os.Exit(2)
	}
	dir, err := bench.TempDir()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-sweep:", err)
		os.Exit(2)
	}
	rep, err := bench.Run(context.Background(), bench.Options{
		Size: size, Mode: *mode, Dir: dir, Progress: os.Stderr,
		Command: func() *exec.Cmd { return exec.Command(exe) },
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-sweep:", err)
		os.Exit(2)
	}
	if err := rep.Print(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench-sweep:", err)
		os.Exit(2)
	}
	if len(rep.Failed()) > 0 {
		os.Exit(1)
	}
}
