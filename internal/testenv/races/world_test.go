package races_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/lambdafn"
	"github.com/ecsaudit/ecsaudit/internal/publish"
	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/testenv/demo"
	"github.com/ecsaudit/ecsaudit/internal/testenv/emulator"
	"github.com/ecsaudit/ecsaudit/internal/testenv/leaks"
	"github.com/ecsaudit/ecsaudit/internal/testenv/races"
)

// stateTable is the demo environment's state table.
const stateTable = "ecsaudit-state"

func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// tally counts, over every scenario, what the observations showed. It is printed as the run's last line.
var tally struct {
	sync.Mutex
	scenarios, wrong, lost, duplicated, stale, leaked int
}

func TestMain(m *testing.M) {
	code := m.Run()
	if tally.scenarios > 0 {
		fmt.Printf("races: scenarios=%d wrong=%d lost=%d duplicated=%d stale=%d leaked_secrets=%d\n",
			tally.scenarios, tally.wrong, tally.lost, tally.duplicated, tally.stale, tally.leaked)
	}
	os.Exit(code)
}

// syncBuffer collects the instances' logs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// world is one emulator, seeded as the demo seeds it, with a gate in front of it for the instances.
type world struct {
	t    *testing.T
	ctx  context.Context
	e    *demo.Env
	gate *races.Gate
	logs *syncBuffer
	// messages are the notification documents the subscriber queue received so far.
	messages []publish.Document
}

// scenario runs one named scenario in a fresh world and counts it.
func scenario(t *testing.T, name string, run func(w *world)) {
	if testing.Short() {
		t.Skip("starts an emulator per scenario")
	}
	t.Run(name, func(t *testing.T) {
		w := newWorld(t)
		defer func() {
			tally.Lock()
			tally.scenarios++
			if t.Failed() {
				tally.wrong++
			}
			tally.Unlock()
		}()
		run(w)
		w.checkLeaks()
	})
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	e, err := demo.StartWith(ctx, root(), nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	w := &world{t: t, ctx: ctx, e: e, gate: races.NewGate(e.Shim), logs: &syncBuffer{}}
	t.Cleanup(func() {
		w.gate.ReleaseAll()
		e.Stop()
		cancel()
	})
	return w
}

// instance sets up one independent instance of a function (its own clients and caches), reaching the emulator
// through the gate under the given name.
func (w *world) instance(name, function string) *lambdafn.Function {
	w.t.Helper()
	srv := httptest.NewServer(w.gate.Handler(name))
	w.t.Cleanup(srv.Close)
	env := map[string]string{"STATE_TABLE": stateTable, "TOPIC_ARN": w.e.TopicARN, "NOTIFY_THRESHOLD": "HIGH"}
	fn, err := lambdafn.Setup(w.ctx, function, func(k string) string { return env[k] }, emulator.Config(srv.URL, demo.Region), w.logs)
	if err != nil {
		w.t.Fatalf("set up %s as %s: %v", function, name, err)
	}
	return fn
}

// event reads a sample event, with each pair of edits applied (old, new).
func (w *world) event(file string, edits ...string) []byte {
	w.t.Helper()
	raw, err := os.ReadFile(filepath.Join(root(), "events", file))
	if err != nil {
		w.t.Fatal(err)
	}
	for i := 0; i+1 < len(edits); i += 2 {
		raw = bytes.ReplaceAll(raw, []byte(edits[i]), []byte(edits[i+1]))
	}
	return raw
}

// apply makes the API calls of the demo's steps with the given events.
func (w *world) apply(events ...string) {
	w.t.Helper()
	for _, ev := range events {
		found := false
		for _, s := range demo.Steps() {
			if s.Event == ev {
				found = true
				if err := s.Apply(w.ctx, w.e); err != nil {
					w.t.Fatalf("apply %s: %v", ev, err)
				}
			}
		}
		if !found {
			w.t.Fatalf("no demo step for %s", ev)
		}
	}
}

// registerPlanted registers a revision of family running the demo's image, privileged (a HIGH finding), with fake
// credentials planted in its environment and tags; it returns the revision's ARN.
func (w *world) registerPlanted(family string) string {
	w.t.Helper()
	out, err := ecs.NewFromConfig(w.e.Config).RegisterTaskDefinition(w.ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(family),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String("app"), Image: aws.String(demo.Account + ".dkr.ecr." + demo.Region + ".amazonaws.com/web:1.4.2"),
			Memory: aws.Int32(512), Essential: aws.Bool(true), Privileged: aws.Bool(true),
			Environment: []ecstypes.KeyValuePair{
				{Name: aws.String("DB_PASSWORD"), Value: aws.String(leaks.Plants[4].Value)},
				{Name: aws.String("STRIPE_KEY"), Value: aws.String(leaks.Plants[1].Value)},
				{Name: aws.String("AWS_ACCESS_KEY_ID"), Value: aws.String(leaks.Plants[2].Value)},
			},
		}},
		Tags: []ecstypes.Tag{{Key: aws.String("db-password"), Value: aws.String(leaks.Plants[15].Value)}},
	})
	if err != nil {
		w.t.Fatalf("register %s: %v", family, err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

// deliver hands an event to an instance as Lambda's asynchronous invocation does: a failed invocation is retried
// twice (the template's MaximumRetryAttempts), on the same instance.
func (w *world) deliver(fn *lambdafn.Function, raw []byte) error {
	var err error
	for range 3 {
		if err = fn.Handle(w.ctx, raw); err == nil {
			return nil
		}
	}
	return err
}

// parallel delivers the events at once, each to its instance, and waits for all.
func (w *world) parallel(fns []*lambdafn.Function, raws [][]byte) {
	var wg sync.WaitGroup
	for i := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.deliver(fns[i], raws[i]); err != nil {
				w.t.Errorf("instance %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
}

// await waits for a held call to arrive.
func (w *world) await(r *races.Rule, what string) {
	w.t.Helper()
	select {
	case <-r.Arrived():
	case <-time.After(time.Minute):
		w.t.Fatalf("%s never arrived at the gate", what)
	}
}

// findings are Security Hub's findings by Id.
func (w *world) findings() map[string]shtypes.AwsSecurityFinding {
	w.t.Helper()
	fs, err := w.e.Findings(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]shtypes.AwsSecurityFinding{}
	for _, f := range fs {
		out[aws.ToString(f.Id)] = f
	}
	return out
}

// records are the state table's finding records of the given Ids.
func (w *world) records(ids []string) map[string]*state.Record {
	w.t.Helper()
	recs, err := state.New(dynamodb.NewFromConfig(w.e.Config), stateTable).Get(w.ctx, ids)
	if err != nil {
		w.t.Fatal(err)
	}
	return recs
}

// receive drains the subscriber queue into w.messages.
func (w *world) receive() []publish.Document {
	w.t.Helper()
	got, err := w.e.Notifications(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, m := range got {
		var doc publish.Document
		if err := json.Unmarshal([]byte(m[1]), &doc); err != nil {
			w.t.Fatalf("notification %q: %v", m[0], err)
		}
		w.messages = append(w.messages, doc)
	}
	return w.messages
}

// announced counts, per finding Id, the messages listing it.
func (w *world) announced() map[string]int {
	out := map[string]int{}
	for _, d := range w.receive() {
		for _, f := range d.Findings {
			out[f.ID]++
		}
	}
	return out
}

// want is the expected final state of one finding in Security Hub.
type want struct{ recordState, compliance string }

// expect checks each finding in Security Hub and its state record against what is expected; a missing finding is
// lost, one in another state stale, and a record that disagrees with Security Hub stale too.
func (w *world) expect(expected map[string]want) {
	w.t.Helper()
	hub := w.findings()
	var ids []string
	for id := range expected {
		ids = append(ids, id)
	}
	recs := w.records(ids)
	for id, x := range expected {
		f, ok := hub[id]
		if !ok {
			w.count(func() { tally.lost++ })
			w.t.Errorf("Security Hub lacks %s", id)
			continue
		}
		comp := ""
		if f.Compliance != nil {
			comp = string(f.Compliance.Status)
		}
		if string(f.RecordState) != x.recordState || comp != x.compliance {
			w.count(func() { tally.stale++ })
			w.t.Errorf("Security Hub holds %s as %s/%s, want %s/%s", id, f.RecordState, comp, x.recordState, x.compliance)
		}
		r := recs[id]
		if r == nil || r.RecordState != string(f.RecordState) || r.Compliance != comp || state.FormatTime(r.UpdatedAt) != aws.ToString(f.UpdatedAt) {
			w.count(func() { tally.stale++ })
			w.t.Errorf("state of %s disagrees with Security Hub (%s/%s updated %s): %+v", id, f.RecordState, comp, aws.ToString(f.UpdatedAt), r)
		}
	}
}

// expectAnnounced checks that each finding at or above the notification threshold (HIGH) was announced exactly
// once, and that no finding was announced twice.
func (w *world) expectAnnounced(ids ...string) {
	w.t.Helper()
	counts := w.announced()
	hub := w.findings()
	for _, id := range ids {
		if f, ok := hub[id]; ok && f.Severity != nil && f.Severity.Label != "HIGH" && f.Severity.Label != "CRITICAL" {
			continue
		}
		if counts[id] == 0 {
			w.count(func() { tally.lost++ })
			w.t.Errorf("%s was never announced", id)
		}
	}
	for id, n := range counts {
		if n > 1 {
			w.count(func() { tally.duplicated++ })
			var in []string
			for _, d := range w.messages {
				for _, f := range d.Findings {
					if f.ID == id {
						in = append(in, d.NotificationID+" at "+d.GeneratedAt)
					}
				}
			}
			w.t.Errorf("%s announced in %d messages: %v", id, n, in)
		}
	}
}

func (w *world) count(f func()) {
	tally.Lock()
	defer tally.Unlock()
	f()
}

// checkLeaks searches everything sent, stored and logged for the planted values.
func (w *world) checkLeaks() {
	w.t.Helper()
	hub, err := w.e.Findings(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	hubJSON, _ := json.Marshal(hub)
	scan, err := dynamodb.NewFromConfig(w.e.Config).Scan(w.ctx, &dynamodb.ScanInput{TableName: aws.String(stateTable)})
	if err != nil {
		w.t.Fatal(err)
	}
	tableJSON, _ := json.Marshal(scan.Items)
	msgJSON, _ := json.Marshal(w.receive())
	found := leaks.Search(map[string]string{
		"security hub": string(hubJSON), "state table": string(tableJSON), "notifications": string(msgJSON), "logs": w.logs.String(),
	}, leaks.Plants)
	for _, l := range found {
		w.count(func() { tally.leaked++ })
		w.t.Errorf("planted %s found in %s", l.Plant.Field, l.Where)
	}
}
