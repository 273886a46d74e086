// Package races runs several independent instances of the functions (as Lambda scales out) against one emulator,
// with a Gate in front of it that holds, fails, or applies-then-fails chosen calls, so that a test can force an
// interleaving of invocations deterministically: hold instance A's import until instance B has finished, let a
// write through and lose its answer. The scenarios (races_test.go) assert only what the emulator holds afterwards:
// Security Hub's findings, the state table's items and the SNS messages a subscriber queue received.
package races

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/ecsaudit/ecsaudit/internal/testenv/faults"
)

// Action is what a Gate does to a matching call.
type Action int

// The actions.
const (
	// Hold keeps the call until the rule is released, then forwards it.
	Hold Action = iota + 1
	// Fail answers HTTP 500 without forwarding: AWS did nothing.
	Fail
	// ApplyThenFail forwards the call, drops the answer and answers HTTP 500: AWS did the work, the caller was told
	// it failed (a lost answer).
	ApplyThenFail
)

// Rule matches calls of one instance (empty: any) to one API ("dynamodb:UpdateItem") whose body contains a string
// (empty: any). It acts on the first Times matching calls (0: every one).
type Rule struct {
	Instance, API, Contains string
	Action                  Action
	Times                   int

	matched  int
	arrived  chan struct{}
	once     sync.Once
	released chan struct{}
	rOnce    sync.Once
}

// Arrived is closed when the first call matching the rule arrived.
func (r *Rule) Arrived() <-chan struct{} { return r.arrived }

// Release lets held calls through, now and later.
func (r *Rule) Release() { r.rOnce.Do(func() { close(r.released) }) }

// Gate is an http.Handler in front of the emulator (its shim). It is safe for concurrent use.
type Gate struct {
	next  http.Handler
	mu    sync.Mutex
	rules []*Rule
}

// NewGate returns a gate forwarding to next.
func NewGate(next http.Handler) *Gate { return &Gate{next: next} }

// Add installs a rule: action on the first times calls (0: every one) of instance (empty: any) to api whose body
// contains contains (empty: any).
func (g *Gate) Add(instance, api, contains string, action Action, times int) *Rule {
	rule := &Rule{Instance: instance, API: api, Contains: contains, Action: action, Times: times}
	rule.arrived = make(chan struct{})
	rule.released = make(chan struct{})
	g.mu.Lock()
	g.rules = append(g.rules, rule)
	g.mu.Unlock()
	return rule
}

// ReleaseAll releases every held call (a test's cleanup).
func (g *Gate) ReleaseAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, r := range g.rules {
		r.Release()
	}
}

// Handler returns the gate as seen by one instance.
func (g *Gate) Handler(instance string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { g.serve(instance, w, r) })
}

func (g *Gate) match(instance, api string, body []byte) *Rule {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, r := range g.rules {
		if (r.Instance != "" && r.Instance != instance) || r.API != api || !bytes.Contains(body, []byte(r.Contains)) {
			continue
		}
		if r.Times > 0 && r.matched >= r.Times {
			continue
		}
		r.matched++
		return r
	}
	return nil
}

func (g *Gate) serve(instance string, w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	service, op := faults.Operation(r, body)
	rule := g.match(instance, service+":"+op, body)
	if rule == nil {
		g.next.ServeHTTP(w, r)
		return
	}
	rule.once.Do(func() { close(rule.arrived) })
	switch rule.Action {
	case Hold:
		select {
		case <-rule.released:
		case <-r.Context().Done():
			return
		}
		g.next.ServeHTTP(w, r)
	case Fail:
		internalError(w, service)
	case ApplyThenFail:
		g.next.ServeHTTP(httptest.NewRecorder(), r)
		internalError(w, service)
	}
}

// internalError answers HTTP 500 in the shape the SDK reads for the service's protocol.
func internalError(w http.ResponseWriter, service string) {
	switch {
	case service == "dynamodb":
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected by the gate"}`)
	case strings.HasPrefix(service, "sns") || service == "sqs":
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>injected by the gate</Message></Error></ErrorResponse>`)
	default:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Errortype", "InternalException")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"__type":"InternalException","message":"injected by the gate"}`)
	}
}
