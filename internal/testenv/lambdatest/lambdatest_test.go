package lambdatest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func buildEcho(t *testing.T) string {
	t.Helper()
	return Build(t, "testdata/echo")
}

func TestInvoke(t *testing.T) {
	bin := buildEcho(t)
	rt := Start(t, bin, []string{"AWS_LAMBDA_FUNCTION_NAME=echo", "AWS_REGION=eu-west-1"})

	cold := rt.ColdStart()
	if cold <= 0 || cold > 30*time.Second {
		t.Errorf("cold start %v", cold)
	}

	t.Run("echo", func(t *testing.T) {
		payload := []byte(`{"hello":"world","n":[1,2,3]}`)
		r := rt.Invoke(payload, 5*time.Second)
		if r.Err != nil {
			t.Fatalf("error %+v", r.Err)
		}
		if string(r.Body) != string(payload) {
			t.Errorf("body %s, want %s", r.Body, payload)
		}
		if r.Duration <= 0 || r.Duration > 5*time.Second {
			t.Errorf("duration %v", r.Duration)
		}
	})

	t.Run("headers reach the function", func(t *testing.T) {
		before := time.Now()
		r := rt.Invoke([]byte(`{"context":true}`), 7*time.Second)
		if r.Err != nil {
			t.Fatalf("error %+v", r.Err)
		}
		var got struct {
			RequestID   string `json:"requestId"`
			FunctionARN string `json:"functionArn"`
			DeadlineMs  int64  `json:"deadlineMs"`
		}
		if err := json.Unmarshal(r.Body, &got); err != nil {
			t.Fatalf("%s: %v", r.Body, err)
		}
		if len(got.RequestID) != 36 {
			t.Errorf("request ID %q", got.RequestID)
		}
		if want := "arn:aws:lambda:eu-west-1:111122223333:function:echo"; got.FunctionARN != want {
			t.Errorf("function ARN %q, want %q", got.FunctionARN, want)
		}
		deadline := time.UnixMilli(got.DeadlineMs)
		if deadline.Before(before.Add(6*time.Second)) || deadline.After(time.Now().Add(7*time.Second)) {
			t.Errorf("deadline %v is not 7s after the invocation (%v)", deadline, before)
		}
	})

	t.Run("error", func(t *testing.T) {
		r := rt.Invoke([]byte(`{"fail":true}`), 5*time.Second)
		if r.Err == nil || r.Body != nil {
			t.Fatalf("body %s, error %+v; want an error", r.Body, r.Err)
		}
		if r.Err.ErrorMessage != "asked to fail" || r.Err.ErrorType != "errorString" {
			t.Errorf("error %+v, want errorString: asked to fail", r.Err)
		}
	})

	t.Run("still serving after an error", func(t *testing.T) {
		if r := rt.Invoke([]byte(`"again"`), 5*time.Second); string(r.Body) != `"again"` {
			t.Errorf("body %s, error %+v", r.Body, r.Err)
		}
	})

	t.Run("peak memory", func(t *testing.T) {
		before := rt.PeakRSS()
		if before <= 0 {
			t.Fatalf("peak RSS %d before allocating", before)
		}
		r := rt.Invoke([]byte(`{"allocateMB":64}`), 10*time.Second)
		if r.Err != nil {
			t.Fatalf("error %+v", r.Err)
		}
		if after := rt.PeakRSS(); after < before+60<<20 {
			t.Errorf("peak RSS %d MB after touching 64 MB, was %d MB", after>>20, before>>20)
		}
	})

	t.Run("logs", func(t *testing.T) {
		var inits, invokes int
		for _, rec := range rt.Logs() {
			switch rec["msg"] {
			case "init":
				inits++
				if rec["function"] != "echo" {
					t.Errorf("init record %v: function name not from AWS_LAMBDA_FUNCTION_NAME", rec)
				}
			case "invoke":
				invokes++
			}
		}
		if inits != 1 || invokes != 5 {
			t.Errorf("%d init and %d invoke records, want 1 and 5; stdout:\n%s", inits, invokes, rt.Stdout())
		}
	})

	rt.Stop()
	if rt.Running() {
		t.Error("still running after Stop")
	}
	if rt.PeakRSS() < 60<<20 {
		t.Errorf("peak RSS after exit %d, want the value read before it", rt.PeakRSS())
	}
	if _, err := rt.TryInvoke([]byte(`{}`), time.Second); err == nil || !strings.Contains(err.Error(), "exited") {
		t.Errorf("invoking a stopped function: %v, want an error saying it exited", err)
	}
}

func TestPanicEndsTheProcess(t *testing.T) {
	rt := Start(t, buildEcho(t), nil)
	r := rt.Invoke([]byte(`{"panic":true}`), 5*time.Second)
	if r.Err == nil || r.Err.ErrorMessage != "asked to panic" || r.Err.ErrorType != "string" {
		t.Fatalf("error %+v, want the panic reported", r.Err)
	}
	if err := rt.Wait(5 * time.Second); err == nil {
		t.Error("the process exited with status 0 after a panic")
	}
	if _, err := rt.TryInvoke([]byte(`{}`), time.Second); err == nil {
		t.Error("invoked a process that has exited")
	}
}

func TestInitError(t *testing.T) {
	rt := Start(t, buildEcho(t), []string{"ECHO_MODE=bogus"})
	if err := rt.Wait(10 * time.Second); err == nil {
		t.Error("exit status 0 after an init error")
	}
	got := rt.InitError()
	if got == nil {
		t.Fatal("no init error posted")
	}
	if got.ErrorType != "Runtime.InvalidConfig" || got.Header != "Runtime.InvalidConfig" ||
		!strings.Contains(got.ErrorMessage, "ECHO_MODE") {
		t.Errorf("init error %+v", got)
	}
}

func TestHangingFunctionTimesOut(t *testing.T) {
	// A process that never asks for an invocation: TryInvoke gives up after its timeout, and Stop still ends it.
	script := filepath.Join(t.TempDir(), "bootstrap")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec sleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	rt := Start(t, script, nil)
	start := time.Now()
	_, err := rt.TryInvoke([]byte(`{}`), 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "did not ask for an invocation") {
		t.Errorf("TryInvoke: %v, want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("TryInvoke took %v for a 300ms timeout", d)
	}
	rt.Stop()
	if rt.Running() {
		t.Error("Stop left the process running")
	}
}

func TestVmHWM(t *testing.T) {
	status := []byte("Name:\tbootstrap\nVmPeak:\t  812344 kB\nVmHWM:\t   20480 kB\nVmRSS:\t   19000 kB\n")
	if got := vmHWM(status); got != 20480 {
		t.Errorf("vmHWM = %d, want 20480", got)
	}
	if got := vmHWM([]byte("Name:\tx\n")); got != 0 {
		t.Errorf("vmHWM without the line = %d", got)
	}
}
