package bench

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func report(second int, rssKB int64) *Report {
	r := &Report{Size: Small(), Mode: "all", Added: 10}
	r.Sweeps[0] = Sweep{ChildOutput: ChildOutput{Calls: Calls{"ecs:DescribeTaskDefinition": 1000, "ecs:ListTaskDefinitions": 10, "ecr:DescribeImages": 50},
		PeakRSSKB: 40 * 1024}, Wall: 27500 * time.Millisecond}
	r.Sweeps[1] = Sweep{ChildOutput: ChildOutput{Calls: Calls{"ecs:DescribeTaskDefinition": second, "ecs:ListTaskDefinitions": 10}, PeakRSSKB: rssKB}}
	r.Sweeps[2] = Sweep{ChildOutput: ChildOutput{Calls: Calls{"ecs:DescribeTaskDefinition": 10, "ecs:ListTaskDefinitions": 11}, PeakRSSKB: 35 * 1024}}
	return r
}

func TestSummaryLineAndChecks(t *testing.T) {
	r := report(0, 34*1024)
	want := "sweep: revisions=1000 first_describe_calls=1000 first_list_calls=10 second_describe_calls=0 third_describe_calls=10 peak_rss_mb=40.0 first_wall_s=27.5"
	if got := r.Summary(); got != want {
		t.Errorf("summary\n got %s\nwant %s", got, want)
	}
	if failed := r.Failed(); len(failed) != 0 {
		t.Errorf("all targets met, yet %v", failed)
	}
	var out bytes.Buffer
	if err := r.Print(&out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if lines[len(lines)-1] != want {
		t.Errorf("the last line printed is %q", lines[len(lines)-1])
	}
	if !strings.Contains(out.String(), "ecr:DescribeImages") {
		t.Error("the table lists every API")
	}
	bad := report(3, 120*1024)
	if failed := bad.Failed(); len(failed) != 2 {
		t.Errorf("a describing unchanged sweep and 120 MiB are two missed targets: %v", failed)
	}
}

func TestECSPaced(t *testing.T) {
	if got := ecsPaced(10100, 20, 50); got != 502.5 {
		t.Errorf("10,100 calls at 20/s after a burst of 50: %v s", got)
	}
	if got := ecsPaced(30, 20, 50); got != 0 {
		t.Errorf("within the burst: %v", got)
	}
}
