package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Throttle is a second, optional http.Handler in front of the Shim (or moto) that adds AWS's request-rate limits and
// chosen failures, which moto never produces. It is kept apart from the Shim so that tests which do not want it
// pay nothing. Behaviours:
//
//   - Limit: a token bucket per group of APIs and per caller (the access key of the request's signature, so each
//     account and each assumed role has its own, as AWS meters per account), e.g. ECS's shared 20 calls per second
//     with a burst of 50 for DescribeTaskDefinition, ListTaskDefinitions and ListTaskDefinitionFamilies. A call over
//     the limit is answered HTTP 400 ThrottlingException "Rate exceeded", as ECS answers, and not forwarded.
//   - Fail: the next n calls of an API whose body contains a given text (an ARN) are answered with the given error
//     code (a 5xx status for codes ending in "ServerException" or "InternalFailure", else 400), and not forwarded.
//   - Every call is counted per API (Calls) and throttled calls per API (Throttled).
//
// A Throttle is safe for concurrent use.
type Throttle struct {
	Next http.Handler
	// Now is the clock (default time.Now).
	Now func() time.Time

	mu        sync.Mutex
	limits    []*limit
	fails     []*planned
	calls     map[string]int
	throttled map[string]int
}

type limit struct {
	apis        map[string]bool
	rate, burst float64
	buckets     map[string]*tokens
}

type tokens struct {
	n    float64
	last time.Time
}

type planned struct {
	api, contains, code string
	remaining           int
}

// NewThrottle returns a throttle in front of next with no limits and no failures.
func NewThrottle(next http.Handler) *Throttle {
	return &Throttle{Next: next, Now: time.Now, calls: map[string]int{}, throttled: map[string]int{}}
}

// Limit adds a token bucket of rate calls per second and the given burst, shared by the listed APIs
// ("ecs:DescribeTaskDefinition") of one caller.
func (t *Throttle) Limit(rate float64, burst int, apis ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	l := &limit{apis: map[string]bool{}, rate: rate, burst: float64(burst), buckets: map[string]*tokens{}}
	for _, a := range apis {
		l.apis[a] = true
	}
	t.limits = append(t.limits, l)
}

// Fail makes the next times calls of api whose request body contains contains (any body when empty) fail with code.
func (t *Throttle) Fail(api, contains, code string, times int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fails = append(t.fails, &planned{api: api, contains: contains, code: code, remaining: times})
}

// ClearFailures drops the planned failures not yet spent.
func (t *Throttle) ClearFailures() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fails = nil
}

// Calls returns how many calls of api arrived (throttled and failed ones included).
func (t *Throttle) Calls(api string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.calls[api]
}

// CallCounts returns a copy of the per-API counts.
func (t *Throttle) CallCounts() map[string]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]int, len(t.calls))
	for api, n := range t.calls {
		out[api] = n
	}
	return out
}

// Throttled returns how many calls of api were refused by a limit.
func (t *Throttle) Throttled(api string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.throttled[api]
}

var accessKey = regexp.MustCompile(`Credential=([^/,]+)/`)

// ServeHTTP implements http.Handler.
func (t *Throttle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	service, _ := signingScope(r.Header.Get("Authorization"))
	api := service + ":" + operation(service, r, body)
	caller := ""
	if m := accessKey.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		caller = m[1]
	}
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	t.mu.Lock()
	t.calls[api]++
	code := ""
	for _, f := range t.fails {
		if f.remaining > 0 && f.api == api && bytes.Contains(body, []byte(f.contains)) {
			f.remaining--
			code = f.code
			break
		}
	}
	if code == "" {
		for _, l := range t.limits {
			if !l.apis[api] {
				continue
			}
			b := l.buckets[caller]
			at := now()
			if b == nil {
				b = &tokens{n: l.burst, last: at}
				l.buckets[caller] = b
			}
			b.n = min(l.burst, b.n+at.Sub(b.last).Seconds()*l.rate)
			b.last = at
			if b.n < 1 {
				code = "ThrottlingException"
				t.throttled[api]++
				break
			}
			b.n--
		}
	}
	t.mu.Unlock()
	if code == "" {
		t.Next.ServeHTTP(w, r)
		return
	}
	status := http.StatusBadRequest
	if strings.HasSuffix(code, "ServerException") || strings.HasSuffix(code, "InternalFailure") {
		status = http.StatusInternalServerError
	}
	msg := "Rate exceeded"
	if code != "ThrottlingException" {
		msg = "Injected by the emulator throttle."
	}
	data, _ := json.Marshal(map[string]string{"__type": code, "message": msg})
	ct := "application/json"
	if r.Header.Get("X-Amz-Target") != "" {
		ct = "application/x-amz-json-1.1"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Amzn-ErrorType", code)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}
