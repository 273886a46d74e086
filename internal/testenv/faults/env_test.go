package faults_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/ecsaudit/ecsaudit/internal/lambdafn"
	"github.com/ecsaudit/ecsaudit/internal/testenv/demo"
	"github.com/ecsaudit/ecsaudit/internal/testenv/faults"
	"github.com/ecsaudit/ecsaudit/internal/testenv/template"
)

func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// lambdaRetries is the template's EventInvokeConfig MaximumRetryAttempts: Lambda retries a failed asynchronous
// invocation twice, then sends the event to the dead-letter queue.
const lambdaRetries = 2

// deliver hands an event to a function the way Lambda's asynchronous invocation does: an invocation that returns an
// error is retried, up to lambdaRetries times. It returns how many retries were made and the last error (nil when an
// invocation succeeded; otherwise the event is what the dead-letter queue would hold).
func deliver(ctx context.Context, fn *lambdafn.Function, raw []byte) (retries int, err error) {
	for attempt := 0; ; attempt++ {
		if err = fn.Handle(ctx, raw); err == nil || attempt == lambdaRetries {
			return attempt, err
		}
	}
}

func event(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(root(), "events", name))
}

// backoffScale divides the waits of the SDK's retryer in the tests. The functions keep the SDK's standard retryer
// and the number of attempts they are deployed with, which decide every outcome; only the time between attempts (a
// random wait of up to 1 s, 2 s, ... capped at 20 s) is shortened, or a run with 20 % faults would spend most of its
// minutes asleep.
const backoffScale = 20

var maxAttemptsFlag = flag.Int("faults.max-attempts", 0, "SDK attempts per call in the functions (0: what template.yaml deploys)")

// deployedAttempts is the number of attempts the functions' SDK clients make per call in Lambda: the template's
// AWS_MAX_ATTEMPTS, which the SDK's LoadDefaultConfig reads from the environment, else the SDK default (3). The
// -faults.max-attempts flag overrides it, to try another setting.
func deployedAttempts() (int, string, error) {
	if *maxAttemptsFlag > 0 {
		return *maxAttemptsFlag, "-faults.max-attempts", nil
	}
	tpl, err := template.Load(filepath.Join(root(), "template.yaml"))
	if err != nil {
		return 0, "", err
	}
	fn, _ := tpl.Globals["Function"].(map[string]any)
	env, _ := fn["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	switch v := vars["AWS_MAX_ATTEMPTS"].(type) {
	case nil:
		return retry.DefaultMaxAttempts, "the SDK default: template.yaml sets no AWS_MAX_ATTEMPTS", nil
	case int64:
		return int(v), "template.yaml AWS_MAX_ATTEMPTS", nil
	case string:
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, "", fmt.Errorf("template.yaml AWS_MAX_ATTEMPTS %q: not a positive number", v)
		}
		return n, "template.yaml AWS_MAX_ATTEMPTS", nil
	}
	return 0, "", fmt.Errorf("template.yaml AWS_MAX_ATTEMPTS %v: not a number", vars["AWS_MAX_ATTEMPTS"])
}

// quickRetries returns a configuration hook giving the SDK's standard retryer with the given attempts and its waits
// divided by backoffScale.
func quickRetries(attempts int) func(cfg *aws.Config) {
	return func(cfg *aws.Config) {
		cfg.Retryer = func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = attempts
				jitter := retry.NewExponentialJitterBackoff(o.MaxBackoff)
				o.Backoff = retry.BackoffDelayerFunc(func(attempt int, err error) (time.Duration, error) {
					d, err := jitter.BackoffDelay(attempt, err)
					return d / backoffScale, err
				})
			})
		}
	}
}

// startBehind starts a demo environment whose functions reach the emulator through the proxy that proxy returns,
// with the deployed number of SDK attempts and quick waits. The proxy's faults are off while the functions are set up.
func startBehind(ctx context.Context, extra map[string]string, proxy func(e *demo.Env) *faults.Proxy) (*demo.Env, *faults.Proxy, error) {
	attempts, _, err := deployedAttempts()
	if err != nil {
		return nil, nil, err
	}
	e, err := demo.StartWith(ctx, root(), extra)
	if err != nil {
		return nil, nil, err
	}
	p := proxy(e)
	p.SetEnabled(false)
	if err := e.Reroute(ctx, extra, func(fn string) demo.Route {
		return demo.Route{Handler: p.Handler(fn), Config: quickRetries(attempts)}
	}); err != nil {
		e.Stop()
		return nil, nil, fmt.Errorf("reroute the functions: %w", err)
	}
	p.SetEnabled(true)
	return e, p, nil
}

func start(t *testing.T, extra map[string]string, opts faults.Options) (*demo.Env, *faults.Proxy) {
	t.Helper()
	e, p, err := startBehind(context.Background(), extra, func(e *demo.Env) *faults.Proxy { return faults.New(e.Shim, opts) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	return e, p
}
