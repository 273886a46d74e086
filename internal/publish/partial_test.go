package publish

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/state"
)

// failingReads fails DynamoDB reads with an internal error: every Query whose body names one of failQuery, and the
// first failBatches BatchGetItem calls.
type failingReads struct {
	next        http.Handler
	failQuery   []string
	failBatches atomic.Int32
}

func (f *failingReads) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	target := r.Header.Get("X-Amz-Target")
	fail := false
	switch {
	case strings.HasSuffix(target, ".Query"):
		for _, s := range f.failQuery {
			fail = fail || bytes.Contains(body, []byte(s))
		}
	case strings.HasSuffix(target, ".BatchGetItem"):
		fail = f.failBatches.Add(-1) >= 0
	}
	if !fail {
		f.next.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected"}`))
}

// A resource whose state cannot be read is left out and named; the others in the same call are published, and a
// retry publishes what was left out without touching the rest.
func TestPublishPartialStateReadFailure(t *testing.T) {
	faults := &failingReads{}
	e := newEnvVia(t, true, func(h http.Handler) http.Handler { faults.next = h; return faults })
	good := taskDef("good", 1, nil, container{"app", true})
	bad := taskDef("bad", 1, nil, container{"app", true})
	faults.failQuery = []string{bad.ID()}
	faults.failBatches.Store(1)
	out, err := e.publisher(Options{}).Publish(context.Background(), e.evaluate(good, bad))
	if err == nil || !strings.Contains(err.Error(), bad.ID()) || strings.Contains(err.Error(), good.ID()) {
		t.Fatalf("error %v: want one naming %s only", err, bad.ID())
	}
	if out.Created != 1 || len(out.Notify) != 1 || out.Notify[0].ID() != findingID(good, "test.privileged", "app") {
		t.Errorf("outcome %+v: want the good resource's finding created and announced", out)
	}
	hub := e.findings()
	if _, ok := hub[findingID(good, "test.privileged", "app")]; !ok || len(hub) != 1 {
		t.Errorf("Security Hub holds %d findings, want only the good resource's", len(hub))
	}
	if r := e.record(findingID(bad, "test.privileged", "app")); r != nil {
		t.Errorf("state written for the resource that was left out: %+v", r)
	}

	faults.failQuery = nil
	e.clock.Advance(time.Second) // the retry reads the resources again
	imports := e.imports()
	out, err = e.publisher(Options{}).Publish(context.Background(), e.evaluate(good, bad))
	if err != nil {
		t.Fatal(err)
	}
	if out.Created != 1 || out.Unchanged != 1 || e.imports() != imports+1 {
		t.Errorf("retry: outcome %+v after %d import calls, want the left-out finding created in one call", out, e.imports()-imports)
	}
	if len(e.findings()) != 2 {
		t.Errorf("Security Hub holds %d findings after the retry, want 2", len(e.findings()))
	}
}

// refusingImports refuses a whole BatchImportFindings call with AccessDeniedException when it carries refuse.
type refusingImports struct {
	next   http.Handler
	refuse string
}

func (f *refusingImports) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !strings.HasSuffix(r.URL.Path, "/findings/import") || !bytes.Contains(body, []byte(f.refuse)) {
		f.next.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", "AccessDeniedException")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte(`{"Message":"injected"}`))
}

// A finding Security Hub refuses with the whole call does not take the others down: the call is split, the others
// are imported, and only the refused one is named.
func TestPublishSplitsAWholeCallRefusal(t *testing.T) {
	faults := &refusingImports{}
	e := newEnvVia(t, true, func(h http.Handler) http.Handler { faults.next = h; return faults })
	good := taskDef("good", 1, nil, container{"app", true})
	other := taskDef("other", 1, nil, container{"app", true})
	bad := taskDef("bad", 1, nil, container{"app", true})
	faults.refuse = findingID(bad, "test.privileged", "app")
	out, err := e.publisher(Options{}).Publish(context.Background(), e.evaluate(good, other, bad))
	if err == nil || !strings.Contains(err.Error(), faults.refuse) || strings.Contains(err.Error(), good.ID()) {
		t.Fatalf("error %v: want one naming %s only", err, faults.refuse)
	}
	if out.Created != 2 || len(out.Failed) != 1 || out.Failed[0] != faults.refuse {
		t.Errorf("outcome %+v: want two created and the refused one failed", out)
	}
	hub := e.findings()
	if _, ok := hub[faults.refuse]; ok || len(hub) != 2 {
		t.Errorf("Security Hub holds %d findings, want the two others", len(hub))
	}
	if r := e.record(faults.refuse); r != nil {
		t.Errorf("state written for the refused finding: %+v", r)
	}
}

// failingWrites fails the next failBatches writes of finding records (DynamoDB UpdateItem calls) with an internal
// error.
type failingWrites struct {
	next        http.Handler
	failBatches atomic.Int32
}

func (f *failingWrites) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".UpdateItem") {
		f.next.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	// A record write is conditioned on the stored observation; the creation time's reservation is not.
	if !bytes.Contains(body, []byte(`"observedAt"`)) || f.failBatches.Add(-1) < 0 {
		f.next.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected"}`))
}

// When the state write fails after Security Hub accepted a new finding, the retry keeps its CreatedAt and
// FirstObservedAt.
func TestCreatedAtSurvivesAFailedStateWrite(t *testing.T) {
	faults := &failingWrites{}
	e := newEnvVia(t, true, func(h http.Handler) http.Handler { faults.next = h; return faults })
	td := taskDef("web", 1, nil, container{"app", true})
	faults.failBatches.Store(100)
	if _, err := e.publisher(Options{MaxAttempts: 1}).Publish(context.Background(), e.evaluate(td)); err == nil {
		t.Fatal("want the state write to fail")
	}
	id := findingID(td, "test.privileged", "app")
	first := e.findings()[id]
	if first.CreatedAt == nil {
		t.Fatal("Security Hub did not get the finding")
	}
	faults.failBatches.Store(0)
	e.clock.Advance(time.Hour)
	if _, err := e.publisher(Options{}).Publish(context.Background(), e.evaluate(td)); err != nil {
		t.Fatal(err)
	}
	got := e.findings()[id]
	if *got.CreatedAt != *first.CreatedAt || *got.FirstObservedAt != *first.FirstObservedAt {
		t.Errorf("CreatedAt %s -> %s, FirstObservedAt %s -> %s", *first.CreatedAt, *got.CreatedAt,
			*first.FirstObservedAt, *got.FirstObservedAt)
	}
	if r := e.record(id); r == nil || state.FormatTime(r.CreatedAt) != *first.CreatedAt {
		t.Errorf("record %+v: want CreatedAt %s", r, *first.CreatedAt)
	}
}
