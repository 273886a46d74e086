// Package faults is a fault-injecting HTTP proxy for tests. Placed between the AWS SDK clients and the emulator (the
// emulator's shim), it answers some requests the way AWS answers when it misbehaves, driven by a seeded random
// generator:
//
//   - Throttling, modelled as a token bucket per service (the request's signing name, as AWS meters per account and
//     service) above a configured rate: the request is refused, unforwarded, with the service's own throttling
//     error (ThrottlingException, ProvisionedThroughputExceededException, LimitExceededException, ...).
//   - HTTP 500 and 503 in the service's error shape, and connection resets (the connection is hijacked and closed
//     with a TCP reset). A read-only call (Describe*, Get*, List*, BatchGet*, Query, Scan) is forwarded first and its
//     answer lost, as when AWS did the work and the answer never arrived. So is an SNS Publish met by a connection
//     reset: the message goes out, its sender retries, and subscribers see it twice under one notificationId. Any
//     other call meets its fault before it is forwarded, so that the emulator never applies a write whose caller
//     was told it failed.
//   - Slow answers: the request waits SlowDelay before it is forwarded.
//
// Every fault is logged with the API, the SDK invocation and attempt that met it, and, once the run is over, whether
// the SDK's own retries got the call through (the same amz-sdk-invocation-id later answered) and whether any retry
// did (the same API and request body later answered: a caller's own retry loop, a Lambda retry of the event).
//
// A Proxy is safe for concurrent use.
package faults

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kind is a kind of fault.
type Kind string

// The kinds of fault.
const (
	// Throttle refuses the request with the service's throttling error (a rate limit, or a Plan).
	Throttle Kind = "throttle"
	// ServerError answers HTTP 500 with the service's internal error code.
	ServerError Kind = "http-500"
	// Unavailable answers HTTP 503 ServiceUnavailable.
	Unavailable Kind = "http-503"
	// Reset closes the connection with a TCP reset and no answer.
	Reset Kind = "reset"
	// Slow delays the request by SlowDelay; it does not fail.
	Slow Kind = "slow"
)

// Failing reports whether a fault of this kind makes the request fail.
func (k Kind) Failing() bool { return k != "" && k != Slow }

// Limit is a token bucket: Rate requests per second on average, Burst at once.
type Limit struct {
	Rate  float64
	Burst int
}

// Options configure a Proxy. The zero value injects nothing: the proxy only counts and forwards.
type Options struct {
	// Seed drives every random choice. The choice for a request depends only on the seed, the request's API and
	// body and how many identical requests came before it, so a run's faults do not depend on goroutine timing
	// (throttling, which depends on the clock, aside).
	Seed uint64
	// Rate is the probability that a request fails: HTTP 500, HTTP 503 or a connection reset, equally likely.
	Rate float64
	// SlowRate is the probability that a request that does not fail is delayed by SlowDelay (default 200 ms).
	SlowRate  float64
	SlowDelay time.Duration
	// Limits throttles each service (by signing name: "ecs", "dynamodb", "securityhub") above its rate.
	Limits map[string]Limit
	// Capture keeps every request body (Bodies), faulted ones included: what the callers sent.
	Capture bool
	// Now is the clock of the rate limits (default time.Now).
	Now func() time.Time
}

// Fault is one injected fault.
type Fault struct {
	// Seq numbers the requests the proxy received, from 0.
	Seq      int    `json:"seq"`
	Function string `json:"function,omitempty"`
	API      string `json:"api"`
	Kind     Kind   `json:"kind"`
	// Forwarded says the emulator received (and answered) the request before the fault replaced its answer.
	Forwarded bool `json:"forwarded"`
	// Invocation, Attempt and MaxAttempts come from the SDK's amz-sdk-invocation-id and amz-sdk-request headers.
	Invocation  string `json:"invocation,omitempty"`
	Attempt     int    `json:"attempt,omitempty"`
	MaxAttempts int    `json:"maxAttempts,omitempty"`
	// SDKRecovered says a later attempt of the same SDK call was answered: the SDK's retries got it through.
	SDKRecovered bool `json:"sdkRecovered"`
	// Recovered says a later identical request (same API and body) was answered, through whatever retry.
	Recovered bool `json:"recovered"`
	// Body is the request body, kept when Options.Capture is on.
	Body []byte `json:"-"`
}

// Body is one request body the proxy received.
type Body struct {
	Function, API string
	Data          []byte
}

// Stats sums up a run.
type Stats struct {
	Requests int
	// Injected counts every fault, slow answers included; Failing those that failed their request.
	Injected, Failing int
	ByKind            map[Kind]int
	// Retries counts requests that repeated one (same API and body) whose previous occurrence met a failing fault.
	Retries int
	// SDKRecovered counts failing faults whose SDK call later succeeded; Recovered those whose request later
	// succeeded through any retry; FailedAfterRetries those whose request never succeeded.
	SDKRecovered, Recovered, FailedAfterRetries int
}

// Proxy is the fault-injecting http.Handler. Create it with New.
type Proxy struct {
	next http.Handler
	opts Options

	mu       sync.Mutex
	disabled bool
	buckets  map[string]*bucket
	plans    []*plan
	seen     map[requestKey]int
	failed   map[requestKey]bool
	reqs     []request
	faults   []Fault
	calls    map[string]map[string]int
	bodies   []Body
	retries  int
}

type requestKey struct {
	api string
	sum [sha256.Size]byte
}

// request is what the log keeps of every request, to tell afterwards whether a fault was recovered.
type request struct {
	key        requestKey
	invocation string
	// ok says the emulator answered it with a status below 500 and no fault replaced the answer.
	ok bool
}

type plan struct {
	api, contains string
	kind          Kind
	remaining     int
}

type bucket struct {
	limit  Limit
	tokens float64
	last   time.Time
}

// New returns a proxy in front of next (usually the emulator's shim).
func New(next http.Handler, opts Options) *Proxy {
	if opts.SlowDelay <= 0 {
		opts.SlowDelay = 200 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Proxy{
		next: next, opts: opts, buckets: map[string]*bucket{}, seen: map[requestKey]int{},
		failed: map[requestKey]bool{}, calls: map[string]map[string]int{},
	}
}

// SetEnabled turns the random faults and the rate limits on or off (on after New). Planned faults apply either way.
func (p *Proxy) SetEnabled(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.disabled = !on
}

// Plan makes the next n requests of api ("ecs:DescribeTaskDefinition") whose body contains the given text (any
// body when empty) meet a fault of the given kind; a negative n means every such request from now on.
func (p *Proxy) Plan(api, contains string, kind Kind, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.plans = append(p.plans, &plan{api: api, contains: contains, kind: kind, remaining: n})
}

// ClearPlans drops every planned fault.
func (p *Proxy) ClearPlans() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.plans = nil
}

// Handler returns a handler that passes requests through the proxy on behalf of one function, whose calls are
// counted apart (Calls).
func (p *Proxy) Handler(function string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.serve(function, w, r) })
}

// ServeHTTP implements http.Handler for requests of no particular function.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.serve("", w, r) }

// Calls returns how many requests per API ("ecs:DescribeTaskDefinition") one function sent, faulted ones included.
func (p *Proxy) Calls(function string) map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for api, n := range p.calls[function] {
		out[api] = n
	}
	return out
}

// Bodies returns the captured request bodies in arrival order.
func (p *Proxy) Bodies() []Body {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Body(nil), p.bodies...)
}

// Faults returns the log: every injected fault in arrival order, with its outcome as known now.
func (p *Proxy) Faults() []Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := append([]Fault(nil), p.faults...)
	// Which invocations and which requests were answered, and when last.
	lastOKInvocation := map[string]int{}
	lastOKKey := map[requestKey]int{}
	for seq, r := range p.reqs {
		if !r.ok {
			continue
		}
		if r.invocation != "" {
			lastOKInvocation[r.invocation] = seq
		}
		lastOKKey[r.key] = seq
	}
	for i := range out {
		f := &out[i]
		if !f.Kind.Failing() {
			f.SDKRecovered, f.Recovered = true, true
			continue
		}
		if seq, ok := lastOKInvocation[f.Invocation]; ok && f.Invocation != "" && seq > f.Seq {
			f.SDKRecovered = true
		}
		if seq, ok := lastOKKey[p.reqs[f.Seq].key]; ok && seq > f.Seq {
			f.Recovered = true
		}
	}
	return out
}

// Stats sums up the log.
func (p *Proxy) Stats() Stats {
	fs := p.Faults()
	p.mu.Lock()
	st := Stats{Requests: len(p.reqs), Retries: p.retries, ByKind: map[Kind]int{}}
	p.mu.Unlock()
	for _, f := range fs {
		st.Injected++
		st.ByKind[f.Kind]++
		if !f.Kind.Failing() {
			continue
		}
		st.Failing++
		if f.SDKRecovered {
			st.SDKRecovered++
		}
		if f.Recovered {
			st.Recovered++
		} else {
			st.FailedAfterRetries++
		}
	}
	return st
}

// WriteLog writes the fault log as JSON lines.
func (p *Proxy) WriteLog(w io.Writer) error {
	enc := json.NewEncoder(w)
	for _, f := range p.Faults() {
		if err := enc.Encode(f); err != nil {
			return err
		}
	}
	return nil
}

// ByAPI counts failing faults per API, sorted by API, for reports.
func ByAPI(fs []Fault) []string {
	n := map[string]int{}
	for _, f := range fs {
		if f.Kind.Failing() {
			n[f.API]++
		}
	}
	out := make([]string, 0, len(n))
	for api, c := range n {
		out = append(out, api+"="+strconv.Itoa(c))
	}
	sort.Strings(out)
	return out
}

func (p *Proxy) serve(function string, w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	service, op := Operation(r, body)
	api := service + ":" + op
	key := requestKey{api: api, sum: sha256.Sum256(body)}
	invocation := r.Header.Get("Amz-Sdk-Invocation-Id")
	attempt, maxAttempts := sdkAttempt(r.Header.Get("Amz-Sdk-Request"))

	p.mu.Lock()
	seq := len(p.reqs)
	p.reqs = append(p.reqs, request{key: key, invocation: invocation})
	if p.calls[function] == nil {
		p.calls[function] = map[string]int{}
	}
	p.calls[function][api]++
	if p.opts.Capture {
		p.bodies = append(p.bodies, Body{Function: function, API: api, Data: body})
	}
	if p.failed[key] {
		p.retries++
	}
	n := p.seen[key]
	p.seen[key]++
	kind := p.choose(key, n, service, api, body)
	// A failing fault meets a read after the emulator answered it, and a reset meets a notification after it was
	// sent (the notification id tells the repeat apart); anything else meets its fault before it is forwarded.
	forwarded := kind.Failing() && kind != Throttle && (ReadOnly(op) || (kind == Reset && api == "sns:Publish"))
	if kind != "" {
		f := Fault{Seq: seq, Function: function, API: api, Kind: kind, Forwarded: forwarded, Invocation: invocation,
			Attempt: attempt, MaxAttempts: maxAttempts}
		if p.opts.Capture {
			f.Body = body
		}
		p.faults = append(p.faults, f)
	}
	p.failed[key] = kind.Failing()
	p.mu.Unlock()

	switch kind {
	case "":
		p.forward(w, r, seq)
	case Slow:
		if sleep(r, p.opts.SlowDelay) {
			p.forward(w, r, seq)
		}
	case Throttle:
		writeError(w, r, service, kind)
	default:
		if forwarded {
			p.next.ServeHTTP(httptest.NewRecorder(), r)
		}
		if kind == Reset {
			reset(w)
		} else {
			writeError(w, r, service, kind)
		}
	}
}

// choose picks the fault for a request, or "" for none. Call with p.mu held.
func (p *Proxy) choose(key requestKey, n int, service, api string, body []byte) Kind {
	for _, pl := range p.plans {
		if pl.remaining != 0 && pl.api == api && bytes.Contains(body, []byte(pl.contains)) {
			if pl.remaining > 0 {
				pl.remaining--
			}
			return pl.kind
		}
	}
	if p.disabled {
		return ""
	}
	if lim, ok := p.opts.Limits[service]; ok && lim.Rate > 0 {
		b := p.buckets[service]
		now := p.opts.Now()
		if b == nil {
			b = &bucket{limit: lim, tokens: float64(max(lim.Burst, 1)), last: now}
			p.buckets[service] = b
		}
		b.tokens = min(float64(max(lim.Burst, 1)), b.tokens+now.Sub(b.last).Seconds()*lim.Rate)
		b.last = now
		if b.tokens < 1 {
			return Throttle
		}
		b.tokens--
	}
	if p.opts.Rate <= 0 && p.opts.SlowRate <= 0 {
		return ""
	}
	h := fnv.New64a()
	h.Write([]byte(key.api))
	h.Write(key.sum[:])
	var nb [8]byte
	binary.LittleEndian.PutUint64(nb[:], uint64(n))
	h.Write(nb[:])
	rng := rand.New(rand.NewPCG(p.opts.Seed, h.Sum64()))
	u := rng.Float64()
	switch {
	case u < p.opts.Rate:
		return []Kind{ServerError, Unavailable, Reset}[rng.IntN(3)]
	case u < p.opts.Rate+(1-p.opts.Rate)*p.opts.SlowRate:
		return Slow
	}
	return ""
}

// forward passes the request to the next handler and records whether it was answered below HTTP 500. The record is
// made when the status is written, before the caller can see the answer, so the log is never behind the caller.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, seq int) {
	sw := &statusWriter{ResponseWriter: w, answered: func(status int) {
		p.mu.Lock()
		p.reqs[seq].ok = status < http.StatusInternalServerError
		p.mu.Unlock()
	}}
	p.next.ServeHTTP(sw, r)
}

type statusWriter struct {
	http.ResponseWriter
	answered func(status int)
	wrote    bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.wrote = true
		s.answered(code)
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if !s.wrote {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(b)
}

// reset closes the client's connection with a TCP reset and no answer.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		// Without a connection to break, a 502 from a proxy in the path is the closest the client can see.
		http.Error(w, "connection reset by the fault proxy", http.StatusBadGateway)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		http.Error(w, "connection reset by the fault proxy", http.StatusBadGateway)
		return
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// sleep waits d or until the request is cancelled; it reports whether the wait completed.
func sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// sdkAttempt reads "attempt=2; max=3" from the SDK's amz-sdk-request header.
func sdkAttempt(h string) (attempt, maxAttempts int) {
	for _, part := range strings.Split(h, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			continue
		}
		switch k {
		case "attempt":
			attempt = n
		case "max":
			maxAttempts = n
		}
	}
	return attempt, maxAttempts
}
