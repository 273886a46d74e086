package model

import (
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Runner is one service, task set or set of standalone tasks that runs a task definition revision: the running
// context of the revision.
type Runner struct {
	// Service is the ARN of the service (for a task set, of the service it belongs to); empty for standalone tasks.
	Service string
	// TaskSet is the task set's ARN when the runner was read as a task set of its own; empty for a service.
	TaskSet string
	// Cluster is the ARN of the cluster the service runs in.
	Cluster string
	// Standalone says the runner is the standalone tasks of Cluster: tasks started by RunTask or StartTask (an
	// EventBridge schedule, a pipeline, a person), which no service or task set manages.
	Standalone bool
	// Public says the runner's tasks get a public IP address (awsvpcConfiguration.assignPublicIp ENABLED): they are
	// reachable from the internet as far as their security groups allow.
	Public bool
	// InternetFacing says an internet-facing load balancer forwards to one of the runner's target groups.
	InternetFacing bool
}

// Exposed reports whether the runner is reachable from the internet: a public IP, or an internet-facing load
// balancer in front of it.
func (r Runner) Exposed() bool { return r.Public || r.InternetFacing }

// Running is what is known of what runs a task definition revision. A TaskDefinition whose Running is nil was read
// without any running context (a file scanned on its own): nothing is known, and nothing is concluded from it.
type Running struct {
	// Runners are the services and task sets known to run the revision, sorted.
	Runners []Runner
	// Complete says every service, task set and standalone task that could run the revision was read, so that no
	// runner means nothing runs it. Without it an empty Runners says nothing.
	Complete bool
}

// Exposure grades a revision by what runs it.
type Exposure int

// The exposures, from least known to most exposed.
const (
	// ExposureUnknown: no runner is known and the reading was not complete.
	ExposureUnknown Exposure = iota
	// ExposureNone: nothing runs the revision (the reading was complete).
	ExposureNone
	// ExposurePrivate: services, task sets or standalone tasks run it, none reachable from the internet.
	ExposurePrivate
	// ExposurePublic: at least one runner of it is reachable from the internet (Runner.Exposed).
	ExposurePublic
)

// Exposure returns how exposed the revision is; a nil Running is ExposureUnknown.
func (r *Running) Exposure() Exposure {
	if r == nil {
		return ExposureUnknown
	}
	if len(r.Runners) == 0 {
		if r.Complete {
			return ExposureNone
		}
		return ExposureUnknown
	}
	for _, x := range r.Runners {
		if x.Exposed() {
			return ExposurePublic
		}
	}
	return ExposurePrivate
}

// ExposedBy says how the runners reach the internet: "a public IP", "an internet-facing load balancer", both, or ""
// when none does.
func (r *Running) ExposedBy() string {
	if r == nil {
		return ""
	}
	var ip, lb bool
	for _, x := range r.Runners {
		ip, lb = ip || x.Public, lb || x.InternetFacing
	}
	switch {
	case ip && lb:
		return "a public IP and an internet-facing load balancer"
	case ip:
		return "a public IP"
	case lb:
		return "an internet-facing load balancer"
	}
	return ""
}

// Services returns the ARNs of the services that run the revision (a task set's service included), sorted, once each.
func (r *Running) Services() []string {
	if r == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, x := range r.Runners {
		if x.Service != "" && !seen[x.Service] {
			seen[x.Service] = true
			out = append(out, x.Service)
		}
	}
	sort.Strings(out)
	return out
}

// maxListed is how many runners a description names before counting the rest.
const maxListed = 5

// NothingRuns is how a description says that nothing runs a revision.
const NothingRuns = "no service, task set or standalone task runs this revision"

// Describe says what runs the revision, in one clause naming services, task sets and clusters by name ("runs in
// service web of cluster production with a public IP"); "" when nothing is known.
func (r *Running) Describe() string {
	switch r.Exposure() {
	case ExposureUnknown:
		return ""
	case ExposureNone:
		return NothingRuns
	}
	var parts []string
	for i, x := range r.Runners {
		if i == maxListed {
			parts = append(parts, "and "+strconv.Itoa(len(r.Runners)-maxListed)+" more")
			break
		}
		s := "service " + lastSegment(x.Service)
		switch {
		case x.Standalone:
			s = "standalone tasks"
		case x.Service == "":
			s = "a service"
		}
		if x.TaskSet != "" {
			s = "task set " + taskSetID(x.TaskSet) + " of " + s
		}
		if c := lastSegment(x.Cluster); c != "" {
			s += " of cluster " + c
		}
		switch {
		case x.Public && x.InternetFacing:
			s += " with a public IP and behind an internet-facing load balancer"
		case x.Public:
			s += " with a public IP"
		case x.InternetFacing:
			s += " behind an internet-facing load balancer"
		}
		parts = append(parts, s)
	}
	return "runs in " + strings.Join(parts, "; ")
}

// lastSegment returns what follows the last slash of an ARN (a service's, cluster's or task set's name or ID).
func lastSegment(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// taskSetID returns a task set's ID from its ARN (task-set/<cluster>/<service>/<id>, the ID holding slashes itself).
func taskSetID(arn string) string {
	if a, ok := ParseARN(arn); ok {
		if parts := strings.SplitN(a.Resource, "/", 4); len(parts) == 4 {
			return parts[3]
		}
	}
	return lastSegment(arn)
}

// Run is one revision a service or task set runs.
type Run struct {
	// TaskDefinition is the revision's ARN as the service or task set names it.
	TaskDefinition string
	Runner         Runner
}

// RunsOf returns the revisions a service or task set runs, one Run per revision, sorted: a service runs its task
// definition (the revision it deploys) and those of its PRIMARY and ACTIVE task sets; a task set runs its own
// unless it is DRAINING. An INACTIVE (deleted) service runs nothing, nor does any other resource. The revision of an
// older deployment still being replaced is not counted: no event says when its tasks are gone, and counting it would
// keep it "running" until the service's next audit.
func RunsOf(r Resource) []Run {
	byRev := map[string]*Run{}
	add := func(rev string, base Runner, nc *ecstypes.NetworkConfiguration, lbs []ecstypes.LoadBalancer, fronted map[string]bool) {
		if rev == "" {
			return
		}
		run := byRev[rev]
		if run == nil {
			run = &Run{TaskDefinition: rev, Runner: base}
			byRev[rev] = run
		}
		run.Runner.Public = run.Runner.Public || publicIP(nc)
		for _, lb := range lbs {
			run.Runner.InternetFacing = run.Runner.InternetFacing || fronted[aws.ToString(lb.TargetGroupArn)]
		}
	}
	switch v := r.(type) {
	case *Service:
		if v.Svc.Status != nil && strings.EqualFold(*v.Svc.Status, "INACTIVE") {
			return nil
		}
		base := Runner{Service: v.ID(), Cluster: aws.ToString(v.Svc.ClusterArn)}
		add(aws.ToString(v.Svc.TaskDefinition), base, v.Svc.NetworkConfiguration, v.Svc.LoadBalancers, v.InternetFacing)
		for _, ts := range v.Svc.TaskSets {
			if st := aws.ToString(ts.Status); st == "PRIMARY" || st == "ACTIVE" {
				add(aws.ToString(ts.TaskDefinition), base, ts.NetworkConfiguration, ts.LoadBalancers, v.InternetFacing)
			}
		}
	case *TaskSet:
		if strings.EqualFold(aws.ToString(v.Set.Status), "DRAINING") {
			return nil
		}
		base := Runner{Service: aws.ToString(v.Set.ServiceArn), TaskSet: v.ID(), Cluster: aws.ToString(v.Set.ClusterArn)}
		add(aws.ToString(v.Set.TaskDefinition), base, v.Set.NetworkConfiguration, v.Set.LoadBalancers, v.InternetFacing)
	}
	out := make([]Run, 0, len(byRev))
	for _, k := range SortedKeys(byRev) {
		out = append(out, *byRev[k])
	}
	return out
}

// StandaloneRuns returns the revisions the standalone tasks of a cluster run, one Run per revision, sorted: the tasks
// that no service or task set started (a service's tasks are in the group "service:<name>") and that are meant to
// run (desired status RUNNING). DescribeTasks does not say whether a task got a public IP, so none is counted as
// public.
func StandaloneRuns(cluster string, tasks []ecstypes.Task) []Run {
	byRev := map[string]*Run{}
	for _, t := range tasks {
		rev := aws.ToString(t.TaskDefinitionArn)
		if rev == "" || strings.HasPrefix(aws.ToString(t.Group), "service:") || aws.ToString(t.DesiredStatus) == "STOPPED" {
			continue
		}
		if byRev[rev] == nil {
			byRev[rev] = &Run{TaskDefinition: rev, Runner: Runner{Cluster: cluster, Standalone: true}}
		}
	}
	out := make([]Run, 0, len(byRev))
	for _, k := range SortedKeys(byRev) {
		out = append(out, *byRev[k])
	}
	return out
}

func publicIP(nc *ecstypes.NetworkConfiguration) bool {
	return nc != nil && nc.AwsvpcConfiguration != nil && nc.AwsvpcConfiguration.AssignPublicIp == ecstypes.AssignPublicIpEnabled
}

// RunsRevision reports whether ref, a task definition as a service names it (an ARN, or family:revision), is this
// revision: the same ARN, or the same family and revision when either side has no ARN.
func (t *TaskDefinition) RunsRevision(ref string) bool {
	if ref == "" {
		return false
	}
	if t.ARN != "" && t.ARN == ref {
		return true
	}
	fam := aws.ToString(t.Def.Family)
	if fam == "" || t.Def.Revision <= 0 {
		return false
	}
	want := fam + ":" + strconv.Itoa(int(t.Def.Revision))
	if a, ok := ParseARN(ref); ok {
		if t.ARN != "" {
			return false // both have ARNs, and they differ
		}
		return strings.TrimPrefix(a.Resource, "task-definition/") == want
	}
	return ref == want
}

// SortRunners orders runners by service, then task set, then cluster (standalone tasks after services): descriptions
// and ASFF resources are the same on every evaluation.
func SortRunners(rs []Runner) {
	sort.Slice(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Standalone != b.Standalone {
			return !a.Standalone
		}
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		if a.TaskSet != b.TaskSet {
			return a.TaskSet < b.TaskSet
		}
		return a.Cluster < b.Cluster
	})
}

// LinkRunning gives each task definition its running context from the services and task sets in rs (resources of
// other kinds are ignored). Services make the context complete: a revision none of them runs is taken to run
// nowhere, so the services given must be all that could run it. Task sets alone add runners but never make it
// complete. When rs holds no service and no task set, the task definitions are left without context.
func LinkRunning(tasks []*TaskDefinition, rs []Resource) {
	var runs []Run
	complete := false
	for _, r := range rs {
		switch r.(type) {
		case *Service:
			complete = true
		case *TaskSet:
		default:
			continue
		}
		runs = append(runs, RunsOf(r)...)
	}
	if !complete && len(runs) == 0 {
		return
	}
	for _, t := range tasks {
		run := &Running{Complete: complete}
		for _, x := range runs {
			if t.RunsRevision(x.TaskDefinition) {
				run.Runners = append(run.Runners, x.Runner)
			}
		}
		SortRunners(run.Runners)
		t.Running = run
	}
}
