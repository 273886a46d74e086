package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os/exec"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/sweep"
)

// Options configure a benchmark run.
type Options struct {
	Size Size
	// Mode is the revision mode (the benchmark's is sweep.ModeAll).
	Mode string
	// Command returns the command that starts the sweeper process: this program again, or the test binary. Run adds
	// the environment that makes it the sweeper (see ChildMain).
	Command func() *exec.Cmd
	// Dir receives the emulator's and the sweeper's logs.
	Dir string
	// Progress, when set, receives a line per step.
	Progress io.Writer
}

// Sweep is one measured sweep.
type Sweep struct {
	ChildOutput
	// Wall is the sweeper process's wall time, start to exit (ChildOutput.PeakRSSKB is its peak resident memory).
	Wall time.Duration
}

// Report is what a benchmark run measured.
type Report struct {
	Size    Size
	Mode    string
	URL     string
	Seeded  Seeded
	Added   int
	Sweeps  [3]Sweep
	LogsDir string
}

// Describes returns the DescribeTaskDefinition calls of sweep i (0-based).
func (r *Report) Describes(i int) int { return r.Sweeps[i].Calls["ecs:DescribeTaskDefinition"] }

// Lists returns the ECS listing calls of sweep i.
func (r *Report) Lists(i int) int {
	return r.Sweeps[i].Calls["ecs:ListTaskDefinitions"] + r.Sweeps[i].Calls["ecs:ListTaskDefinitionFamilies"]
}

// PeakRSSMB is the highest peak resident memory of the three sweeper processes, in MiB.
func (r *Report) PeakRSSMB() float64 {
	var kb int64
	for _, s := range r.Sweeps {
		kb = max(kb, s.PeakRSSKB)
	}
	return float64(kb) / 1024
}

// Run seeds an emulator, runs the three sweeps and returns the measurements.
func Run(ctx context.Context, o Options) (*Report, error) {
	progress := o.Progress
	if progress == nil {
		progress = io.Discard
	}
	if o.Mode == "" {
		o.Mode = sweep.ModeAll
	}
	env, err := Start(ctx, o.Dir)
	if err != nil {
		return nil, err
	}
	defer env.Stop()
	rep := &Report{Size: o.Size, Mode: o.Mode, URL: env.URL, LogsDir: o.Dir}
	fmt.Fprintf(progress, "seeding %d revisions in %d families, %d repositories, %d images at %s\n",
		o.Size.Revisions, o.Size.Families, o.Size.Repositories, o.Size.Images, env.URL)
	if rep.Seeded, err = env.Seed(ctx, o.Size); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(progress, "seeded: %d calls in %.1f s (setup %.1f s, repositories and images %.1f s, revisions %.1f s)\n",
		rep.Seeded.Calls, rep.Seeded.Duration.Seconds(), rep.Seeded.Setup.Seconds(), rep.Seeded.Images.Seconds(), rep.Seeded.Revisions.Seconds())
	for i := range rep.Sweeps {
		if i == 2 {
			rep.Added = max(o.Size.Revisions/100, 1)
			if err := env.AddRevisions(ctx, o.Size, rep.Added); err != nil {
				return nil, fmt.Errorf("add revisions: %w", err)
			}
			fmt.Fprintf(progress, "registered %d new revisions (1 %%)\n", rep.Added)
		}
		s, err := runChild(ctx, o, env.URL, filepath.Join(o.Dir, fmt.Sprintf("sweep%d.log", i+1)))
		if err != nil {
			return nil, fmt.Errorf("sweep %d: %w", i+1, err)
		}
		rep.Sweeps[i] = s
		fmt.Fprintf(progress, "sweep %d: %d describes, %.1f s, peak RSS %.1f MiB\n", i+1,
			s.Calls["ecs:DescribeTaskDefinition"], s.Wall.Seconds(), float64(s.PeakRSSKB)/1024)
	}
	return rep, nil
}

func runChild(ctx context.Context, o Options, url, logPath string) (Sweep, error) {
	cmd := o.Command()
	cmd.Env = append(cmd.Environ(), ChildEnv+"="+url, childMode+"="+o.Mode, childLog+"="+logPath)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	runErr := cmd.Run()
	s := Sweep{Wall: time.Since(start)}
	if err := json.Unmarshal(lastLine(stdout.Bytes()), &s.ChildOutput); err != nil {
		return s, fmt.Errorf("sweeper process: %v; output %q; stderr %q", runErr, tail(stdout.String()), tail(stderr.String()))
	}
	if runErr != nil || s.Error != "" {
		return s, fmt.Errorf("sweeper process: %v: %s (log %s)", runErr, s.Error, logPath)
	}
	return s, ctx.Err()
}

func lastLine(b []byte) []byte {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	return lines[len(lines)-1]
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

// ecsPaced is how long n ECS calls take through a token bucket of rate calls per second that starts full with burst.
func ecsPaced(n int, rate, burst float64) float64 {
	return math.Max(0, float64(n)-burst) / rate
}

// Print writes the table and, as its last line, the summary line of the issue:
//
//	sweep: revisions=N first_describe_calls=X first_list_calls=L second_describe_calls=Z third_describe_calls=T peak_rss_mb=M first_wall_s=W
func (r *Report) Print(w io.Writer) error {
	fmt.Fprintf(w, "ecsaudit sweep benchmark: %d ACTIVE revisions in %d families, %d repositories, %d images; mode %s; "+
		"emulator %s (pacing lifted)\n", r.Size.Revisions, r.Size.Families, r.Size.Repositories, r.Size.Images, r.Mode, r.URL)
	fmt.Fprintf(w, "seeding: %d calls in %.1f s; sweep 3 follows %d new revisions (1 %%)\n\n", r.Seeded.Calls, r.Seeded.Duration.Seconds(), r.Added)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "calls by API\tsweep 1\tsweep 2\tsweep 3\t")
	sets := []Calls{r.Sweeps[0].Calls, r.Sweeps[1].Calls, r.Sweeps[2].Calls}
	for _, api := range APIs(sets...) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", api, sets[0][api], sets[1][api], sets[2][api])
	}
	row := func(name string, f func(s Sweep) string) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", name, f(r.Sweeps[0]), f(r.Sweeps[1]), f(r.Sweeps[2]))
	}
	num := func(f func(s Sweep) int) func(s Sweep) string {
		return func(s Sweep) string { return fmt.Sprint(f(s)) }
	}
	row("total AWS calls", num(func(s Sweep) int { return s.Calls.Sum("") }))
	row("ECS calls (Describe/List)", num(func(s Sweep) int { return s.Calls.Sum("ecs:") }))
	row("ECR calls", num(func(s Sweep) int { return s.Calls.Sum("ecr:") }))
	row("revisions described", num(func(s Sweep) int { return s.Stats.Described }))
	row("  of which new", num(func(s Sweep) int { return s.Stats.New }))
	row("  of which image changed", num(func(s Sweep) int { return s.Stats.ImageChanged }))
	row("revisions judged from records", num(func(s Sweep) int { return s.Stats.Reused }))
	row("revisions NOT_AVAILABLE", num(func(s Sweep) int { return s.Stats.NotAvailable }))
	row("images in scope / published", func(s Sweep) string { return fmt.Sprintf("%d / %d", s.Stats.Images, s.Stats.ImagesPublished) })
	row("repositories / read in full", func(s Sweep) string {
		return fmt.Sprintf("%d / %d", s.Stats.Repositories, s.Stats.RepositoriesRead)
	})
	row("sweeper wall time (s)", func(s Sweep) string { return fmt.Sprintf("%.1f", s.Wall.Seconds()) })
	row("ECS calls at 20/s, burst 50 (s)", func(s Sweep) string {
		return fmt.Sprintf("%.1f", ecsPaced(s.Calls.Sum("ecs:"), sweep.ECSRate, sweep.ECSBurst))
	})
	row("ECS calls at the default share, 10/s (s)", func(s Sweep) string {
		return fmt.Sprintf("%.1f", ecsPaced(s.Calls.Sum("ecs:"), sweep.ECSRate/2, sweep.ECSBurst/2))
	})
	row("sweeper peak RSS (MiB)", func(s Sweep) string { return fmt.Sprintf("%.1f", float64(s.PeakRSSKB)/1024) })
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, c := range r.Checks() {
		mark := "ok  "
		if !c.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s %s\n", mark, c.Text)
	}
	fmt.Fprintf(w, "logs: %s\n", r.LogsDir)
	_, err := fmt.Fprintln(w, r.Summary())
	return err
}

// Summary is the summary line.
func (r *Report) Summary() string {
	return fmt.Sprintf("sweep: revisions=%d first_describe_calls=%d first_list_calls=%d second_describe_calls=%d third_describe_calls=%d peak_rss_mb=%.1f first_wall_s=%.1f",
		r.Size.Revisions, r.Describes(0), r.Lists(0), r.Describes(1), r.Describes(2), r.PeakRSSMB(), r.Sweeps[0].Wall.Seconds())
}

// Check is one target of the issue, met or not.
type Check struct {
	OK   bool
	Text string
}

// Checks compares the measurements with the targets.
func (r *Report) Checks() []Check {
	n := r.Size.Revisions
	first, second, third := r.Describes(0), r.Describes(1), r.Describes(2)
	return []Check{
		{float64(first) <= 1.02*float64(n), fmt.Sprintf("first sweep describes %d ≤ 1.02 × %d revisions", first, n)},
		{second == 0, fmt.Sprintf("unchanged sweep describes %d (target 0)", second)},
		{third >= r.Added && float64(third) <= 1.02*float64(r.Added)+1, fmt.Sprintf("1 %% sweep describes %d for %d new revisions", third, r.Added)},
		{r.PeakRSSMB() < 100, fmt.Sprintf("peak RSS %.1f MiB < 100 MiB", r.PeakRSSMB())},
		{r.Sweeps[0].Stats.NotAvailable+r.Sweeps[1].Stats.NotAvailable+r.Sweeps[2].Stats.NotAvailable == 0, "no revision NOT_AVAILABLE"},
	}
}

// Failed returns the texts of the checks that failed.
func (r *Report) Failed() []string {
	var out []string
	for _, c := range r.Checks() {
		if !c.OK {
			out = append(out, c.Text)
		}
	}
	return out
}
