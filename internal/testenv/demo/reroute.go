package demo

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsaudit/ecsaudit/internal/lambdafn"
	"github.com/ecsaudit/ecsaudit/internal/testenv/emulator"
)

// FunctionNames are the logical IDs of the three functions, as in template.yaml.
var FunctionNames = []string{"TaskDefinitionAuditor", "EcrAuditor", "Sweeper"}

// Route says how one function reaches AWS in a rerouted Env.
type Route struct {
	// Handler receives the function's requests; it should end at the Env's Shim (a fault-injecting proxy or a
	// recorder in front of it). Nil sends them to the shim directly.
	Handler http.Handler
	// Config, when set, adjusts the function's SDK configuration: a middleware that records every call, a retryer
	// with shorter waits.
	Config func(cfg *aws.Config)
}

// Reroute sets the three functions up again, each sending its AWS calls through its own route instead of straight
// to the shim: tests put a fault-injecting proxy or a per-function recorder there. extra adds function environment
// variables, as for StartWith (pass the same ones again). The functions keep logging to LogPath. The test harness's
// own calls (Step.Apply, Findings, Notifications) still go to the shim directly.
func (e *Env) Reroute(ctx context.Context, extra map[string]string, route func(function string) Route) error {
	logs, err := os.OpenFile(e.logPath(), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	var servers []*httptest.Server
	closeAll := func() {
		for _, s := range servers {
			s.Close()
		}
		logs.Close()
	}
	env := e.functionEnv(extra)
	funcs := map[string]*lambdafn.Function{}
	for _, name := range FunctionNames {
		r := route(name)
		h := r.Handler
		if h == nil {
			h = e.Shim
		}
		srv := httptest.NewServer(h)
		servers = append(servers, srv)
		cfg := emulator.Config(srv.URL, Region)
		if r.Config != nil {
			r.Config(&cfg)
		}
		fn, err := lambdafn.Setup(ctx, name, func(k string) string { return env[k] }, cfg, logs)
		if err != nil {
			closeAll()
			return fmt.Errorf("set up %s: %w", name, err)
		}
		funcs[name] = fn
	}
	e.Funcs = funcs
	prev := e.stop
	e.stop = func() {
		closeAll()
		if prev != nil {
			prev()
		}
	}
	return nil
}
