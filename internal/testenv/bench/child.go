package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/lambdafn"
	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/sweep"
	"github.com/ecsaudit/ecsaudit/internal/testenv/emulator"
)

// Environment variables that make a process the benchmark's sweeper: ChildEnv holds the endpoint (the shim's URL),
// childMode the revision mode and childLog where the function's logs go.
const (
	ChildEnv  = "ECSAUDIT_BENCH_SWEEPER"
	childMode = "ECSAUDIT_BENCH_MODE"
	childLog  = "ECSAUDIT_BENCH_LOG"
)

// ChildOutput is what the sweeper process reports on its standard output (one JSON document).
type ChildOutput struct {
	Calls       Calls            `json:"calls"`
	Stats       state.SweepStats `json:"stats"`
	Invocations int              `json:"invocations"`
	Seconds     float64          `json:"seconds"`
	Error       string           `json:"error,omitempty"`
	Unavailable int              `json:"unavailable"`
	Done        bool             `json:"done"`
	// PeakRSSKB is the process's own VmHWM (Linux), read just before it exits.
	PeakRSSKB int64 `json:"peakRssKb"`
}

// IsChild reports whether this process was started as the benchmark's sweeper.
func IsChild() bool { return os.Getenv(ChildEnv) != "" }

// ChildMain is the benchmark's sweeper process: the Sweeper function, wired by lambdafn as in Lambda, with every
// SDK client counting its calls and the pacing lifted (the emulator has no rate limit, and the benchmark reports
// what the pace would cost instead), runs one sweep to the end and prints what it called. It returns the exit
// status.
func ChildMain(stdout io.Writer) int {
	out := ChildOutput{}
	err := child(&out)
	if err != nil {
		out.Error = err.Error()
	}
	out.PeakRSSKB = vmHWM()
	if jerr := json.NewEncoder(stdout).Encode(out); jerr != nil {
		return 2
	}
	if err != nil {
		return 1
	}
	return 0
}

// vmHWM reads the process's peak resident set size from /proc/self/status, in KiB (0 where there is none). It is
// the sweeper's own: the getrusage figure a parent gets for its child also counts the parent's memory, which Linux
// charges to the child when it execs from the parent's address space (os/exec uses vfork).
func vmHWM() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

func child(out *ChildOutput) error {
	ctx := context.Background()
	endpoint := os.Getenv(ChildEnv)
	mode := os.Getenv(childMode)
	logs := io.Discard
	if p := os.Getenv(childLog); p != "" {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		logs = f
	}
	counter := NewCounter()
	cfg := emulator.Config(endpoint, Region)
	cfg.APIOptions = append(cfg.APIOptions, counter.Register)
	env := map[string]string{"STATE_TABLE": Table, "REVISION_MODE": mode}
	start := time.Now()
	fn, err := lambdafn.Setup(ctx, "Sweeper", func(k string) string { return env[k] }, cfg, logs)
	if err != nil {
		return fmt.Errorf("set up the sweeper: %w", err)
	}
	// REPORT_PASSES is unset, so the publisher does not report passes: the sweep need not hand it resources that pass.
	opts := sweep.Options{Unpaced: true, Version: "bench", Concurrency: 4, ReportPasses: false}
	for {
		res, err := fn.Service.Sweep(ctx, opts)
		out.Stats = res.Total
		out.Invocations = res.Invocations
		out.Unavailable += len(res.Unavailable)
		out.Done = res.Done
		if err != nil {
			out.Calls, out.Seconds = counter.Counts(), time.Since(start).Seconds()
			return err
		}
		if res.Done || res.Busy {
			break
		}
	}
	out.Calls, out.Seconds = counter.Counts(), time.Since(start).Seconds()
	return nil
}
