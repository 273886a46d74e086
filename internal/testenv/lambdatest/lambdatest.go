// Package lambdatest runs a Lambda function binary the way Lambda runs it, inside a test: the binary is built with the
// release tags and flags (for the host architecture, since these machines cannot run arm64), started with
// AWS_LAMBDA_RUNTIME_API pointing at an in-test implementation of the Lambda Runtime API, and fed invocations.
//
// The Runtime API subset served (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html):
//   - GET  /2018-06-01/runtime/invocation/next, with the Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms,
//     Lambda-Runtime-Invoked-Function-Arn and Lambda-Runtime-Trace-Id headers;
//   - POST /2018-06-01/runtime/invocation/{id}/response and .../{id}/error;
//   - POST /2018-06-01/runtime/init/error.
//
// It also measures what docs/performance.md records: the cold start (process start to the first next request), each
// invocation's duration (next handed out to response received) and the peak resident memory (VmHWM, Linux only).
package lambdatest

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Build compiles the main package in pkgDir with the release tags and flags (those of the Makefile's build-<Function>
// targets) for the host into a bootstrap binary under t.TempDir(), and returns its path.
func Build(t testing.TB, pkgDir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w", "-o", out, ".")
	cmd.Dir = pkgDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkgDir, err, msg)
	}
	return out
}

// Response is the outcome of one invocation.
type Response struct {
	// Body is what the function posted to .../response; nil when it reported an error.
	Body []byte
	// Err is what the function posted to .../error; nil on success.
	Err *ErrorBody
	// Duration runs from the invocation being handed out by next to the response or error arriving.
	Duration time.Duration
}

// ErrorBody is an error a function reports to the Runtime API.
type ErrorBody struct {
	ErrorMessage string          `json:"errorMessage"`
	ErrorType    string          `json:"errorType"`
	StackTrace   json.RawMessage `json:"stackTrace,omitempty"`
	// Header is the Lambda-Runtime-Function-Error-Type request header, when sent.
	Header string `json:"-"`
}

// Runtime is a running function process and the Runtime API it talks to.
type Runtime struct {
	t           testing.TB
	srv         *httptest.Server
	cmd         *exec.Cmd
	functionARN string
	stdout      syncBuffer
	stderr      syncBuffer

	started   time.Time
	firstNext chan struct{} // closed by the first next request
	coldStart time.Duration
	nextOnce  sync.Once

	queue   chan *invocation
	exited  chan struct{} // closed when the process has exited
	exitErr error
	stop    chan struct{} // closed by Stop, to release a waiting next
	stopped sync.Once

	mu       sync.Mutex
	inflight map[string]*invocation
	initErr  *ErrorBody
	peakKB   int64
}

type invocation struct {
	id        string
	payload   []byte
	deadline  time.Time
	delivered time.Time
	done      chan Response // buffered: the handler never blocks on it
}

// Start starts binary as a Lambda function would be started: a minimal, hermetic environment (no variables of the
// test process, HOME in a temporary directory) with the variables Lambda sets, then env (KEY=VALUE; later entries
// win). The process is stopped when the test ends.
func Start(t testing.TB, binary string, env []string) *Runtime {
	t.Helper()
	rt := &Runtime{
		t:         t,
		firstNext: make(chan struct{}),
		queue:     make(chan *invocation),
		exited:    make(chan struct{}),
		stop:      make(chan struct{}),
		inflight:  map[string]*invocation{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", rt.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", rt.response)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", rt.invocationError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", rt.initError)
	rt.srv = httptest.NewServer(mux)

	vars := []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"HOME=" + t.TempDir(),
		"TZ=:UTC",
		"LANG=C.UTF-8",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_LAMBDA_FUNCTION_NAME=test-function",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/test-function",
		"AWS_LAMBDA_LOG_STREAM_NAME=2026/11/22/[$LATEST]0123456789abcdef0123456789abcdef",
		"_HANDLER=bootstrap",
		"LAMBDA_TASK_ROOT=" + filepath.Dir(binary),
		"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(rt.srv.URL, "http://"),
	}
	vars = append(vars, env...)
	rt.functionARN = fmt.Sprintf("arn:aws:lambda:%s:111122223333:function:%s",
		lookup(vars, "AWS_REGION"), lookup(vars, "AWS_LAMBDA_FUNCTION_NAME"))

	rt.cmd = exec.Command(binary)
	rt.cmd.Env = vars
	rt.cmd.Dir = filepath.Dir(binary)
	rt.cmd.Stdout = &rt.stdout
	rt.cmd.Stderr = &rt.stderr
	// The lock orders this write before the next handler's read: the child process, between them, is invisible to
	// the race detector.
	rt.mu.Lock()
	rt.started = time.Now()
	rt.mu.Unlock()
	if err := rt.cmd.Start(); err != nil {
		rt.srv.Close()
		t.Fatalf("start %s: %v", binary, err)
	}
	go func() {
		err := rt.cmd.Wait()
		rt.mu.Lock()
		rt.exitErr = err
		rt.mu.Unlock()
		close(rt.exited)
	}()
	t.Cleanup(rt.Stop)
	return rt
}

// lookup returns the value of the last KEY=VALUE entry for key, as exec does with duplicates.
func lookup(env []string, key string) string {
	v := ""
	for _, e := range env {
		if k, val, ok := strings.Cut(e, "="); ok && k == key {
			v = val
		}
	}
	return v
}

// Invoke delivers payload as the next invocation with a deadline timeout from now, and waits for the function's
// answer. The test fails when none comes within the timeout or the process exits first.
func (rt *Runtime) Invoke(payload []byte, timeout time.Duration) Response {
	rt.t.Helper()
	resp, err := rt.TryInvoke(payload, timeout)
	if err != nil {
		rt.t.Fatalf("%v\nstderr:\n%s\nstdout:\n%s", err, tail(rt.Stderr()), tail(rt.Stdout()))
	}
	return resp
}

// TryInvoke is Invoke for tests that expect the function to die or hang: it returns an error instead of failing.
func (rt *Runtime) TryInvoke(payload []byte, timeout time.Duration) (Response, error) {
	inv := &invocation{id: requestID(), payload: payload, deadline: time.Now().Add(timeout), done: make(chan Response, 1)}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case rt.queue <- inv:
	case <-rt.exited:
		return Response{}, fmt.Errorf("invocation %s: the function exited before asking for it: %v", inv.id, rt.ExitErr())
	case <-timer.C:
		return Response{}, fmt.Errorf("invocation %s: the function did not ask for an invocation within %v", inv.id, timeout)
	}
	select {
	case r := <-inv.done:
		rt.samplePeak()
		return r, nil
	case <-rt.exited:
		// The process may have answered just before exiting.
		select {
		case r := <-inv.done:
			return r, nil
		default:
		}
		return Response{}, fmt.Errorf("invocation %s: the function exited without answering: %v", inv.id, rt.ExitErr())
	case <-timer.C:
		return Response{}, fmt.Errorf("invocation %s: no answer within %v", inv.id, timeout)
	}
}

func requestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (rt *Runtime) next(w http.ResponseWriter, r *http.Request) {
	rt.nextOnce.Do(func() {
		rt.mu.Lock()
		rt.coldStart = time.Since(rt.started)
		rt.mu.Unlock()
		close(rt.firstNext)
	})
	var inv *invocation
	select {
	case inv = <-rt.queue:
	case <-r.Context().Done():
		return
	case <-rt.stop:
		http.Error(w, "runtime stopping", http.StatusServiceUnavailable)
		return
	}
	inv.delivered = time.Now()
	rt.mu.Lock()
	rt.inflight[inv.id] = inv
	rt.mu.Unlock()
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", rt.functionARN)
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-"+strconv.FormatInt(time.Now().Unix(), 16)+"-"+strings.ReplaceAll(inv.id, "-", "")[:24]+";Sampled=0")
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(inv.payload)
}

// finish takes the invocation id out of the in-flight set; false when it is unknown or already answered.
func (rt *Runtime) finish(w http.ResponseWriter, id string) (*invocation, bool) {
	rt.mu.Lock()
	inv, ok := rt.inflight[id]
	delete(rt.inflight, id)
	rt.mu.Unlock()
	if !ok {
		http.Error(w, `{"errorType":"InvalidRequestID","errorMessage":"unknown or finished request ID"}`, http.StatusBadRequest)
	}
	return inv, ok
}

func (rt *Runtime) response(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	inv, ok := rt.finish(w, r.PathValue("id"))
	if !ok {
		return
	}
	inv.done <- Response{Body: body, Duration: time.Since(inv.delivered)}
	w.WriteHeader(http.StatusAccepted)
}

func (rt *Runtime) invocationError(w http.ResponseWriter, r *http.Request) {
	e, err := readError(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	inv, ok := rt.finish(w, r.PathValue("id"))
	if !ok {
		return
	}
	inv.done <- Response{Err: e, Duration: time.Since(inv.delivered)}
	w.WriteHeader(http.StatusAccepted)
}

func (rt *Runtime) initError(w http.ResponseWriter, r *http.Request) {
	e, err := readError(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rt.mu.Lock()
	rt.initErr = e
	rt.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

// readError reads an error body; one that is not the JSON Lambda expects is kept whole as the message.
func readError(r *http.Request) (*ErrorBody, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	e := &ErrorBody{Header: r.Header.Get("Lambda-Runtime-Function-Error-Type")}
	if json.Unmarshal(body, e) != nil {
		e.ErrorMessage = string(body)
	}
	return e, nil
}

// ColdStart returns the time from process start to the first next request, waiting up to 30 s for it.
func (rt *Runtime) ColdStart() time.Duration {
	rt.t.Helper()
	select {
	case <-rt.firstNext:
		return rt.coldStart
	case <-rt.exited:
		rt.t.Fatalf("the function exited before its first next request: %v\nstderr:\n%s", rt.ExitErr(), tail(rt.Stderr()))
	case <-time.After(30 * time.Second):
		rt.t.Fatalf("no next request within 30s of the process start")
	}
	return 0
}

// InitError returns what the function posted to /runtime/init/error, or nil.
func (rt *Runtime) InitError() *ErrorBody {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.initErr
}

// Wait waits for the process to exit on its own and returns its exit error (nil for status 0); the test fails when it
// is still running after timeout.
func (rt *Runtime) Wait(timeout time.Duration) error {
	rt.t.Helper()
	select {
	case <-rt.exited:
		return rt.ExitErr()
	case <-time.After(timeout):
		rt.t.Fatalf("the function is still running after %v", timeout)
		return nil
	}
}

// ExitErr returns the process's exit error once it has exited (nil while running or after status 0).
func (rt *Runtime) ExitErr() error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.exitErr
}

// Stdout returns what the process has written to stdout so far.
func (rt *Runtime) Stdout() []byte { return rt.stdout.Bytes() }

// Stderr returns what the process has written to stderr so far.
func (rt *Runtime) Stderr() []byte { return rt.stderr.Bytes() }

// Logs returns the JSON object lines the process wrote to stdout and stderr (stdout first), skipping other lines:
// the records a log/slog JSON handler or an Embedded Metric Format writer produces.
func (rt *Runtime) Logs() []map[string]any {
	var out []map[string]any
	for _, b := range [][]byte{rt.Stdout(), rt.Stderr()} {
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				out = append(out, m)
			}
		}
	}
	return out
}

// PeakRSS returns the process's peak resident set size in bytes (VmHWM): read now while it runs, or the last
// value read before it exited. Zero where /proc is not available.
func (rt *Runtime) PeakRSS() int64 {
	rt.samplePeak()
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.peakKB * 1024
}

func (rt *Runtime) samplePeak() {
	select {
	case <-rt.exited:
		return
	default:
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", rt.cmd.Process.Pid))
	if err != nil {
		return
	}
	kb := vmHWM(data)
	rt.mu.Lock()
	if kb > rt.peakKB {
		rt.peakKB = kb
	}
	rt.mu.Unlock()
}

// vmHWM reads the VmHWM line of /proc/<pid>/status, in kB.
func vmHWM(status []byte) int64 {
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// Stop records the peak memory, then stops the process (SIGTERM, SIGKILL after 2 s) and the Runtime API server. It
// is safe to call more than once; the test's cleanup calls it.
func (rt *Runtime) Stop() {
	rt.stopped.Do(func() {
		rt.samplePeak()
		close(rt.stop)
		_ = rt.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-rt.exited:
		case <-time.After(2 * time.Second):
			_ = rt.cmd.Process.Kill()
			<-rt.exited
		}
		rt.srv.Close()
	})
}

// Running reports whether the process has not exited yet.
func (rt *Runtime) Running() bool {
	select {
	case <-rt.exited:
		return false
	default:
		return true
	}
}

// syncBuffer is a bytes.Buffer safe for the writes of exec's copying goroutines and concurrent reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// tail returns the last 4 KB of b, for failure messages.
func tail(b []byte) string {
	const max = 4 << 10
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}
