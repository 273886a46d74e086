package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/hook"
	"github.com/ecsaudit/ecsaudit/internal/lambdafn"
)

// HookRequests are the sample requests the demo sends the CloudFormation hook's function: a CREATE it must block
// and an UPDATE it lets through.
var HookRequests = []string{"create-task-definition-privileged.json", "update-task-definition.json"}

// HookAnswer is one answer of the hook's function and how long it took.
type HookAnswer struct {
	Request  string
	Response hook.Response
	Took     time.Duration
}

// HookAnswers sets the hook's function up as the CfnHook function starts (the functions' environment, read through
// lambdafn.AuditConfig) and answers each of HookRequests.
func (e *Env) HookAnswers(ctx context.Context) ([]HookAnswer, error) {
	env := e.functionEnv(nil)
	getenv := func(k string) string { return env[k] }
	audit, err := lambdafn.AuditConfig(ctx, getenv, e.Config)
	if err != nil {
		return nil, err
	}
	block, err := hook.BlockFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	h := &hook.Hook{Engine: engine.New(catalog.Default(), audit), Block: block, Now: time.Now, Region: Region,
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	var out []HookAnswer
	for _, name := range HookRequests {
		raw, err := os.ReadFile(filepath.Join(e.Root, "events", "hook", name))
		if err != nil {
			return nil, err
		}
		start := time.Now()
		resp, err := h.Handle(ctx, raw)
		if err != nil {
			return nil, fmt.Errorf("hook on events/hook/%s: %w", name, err)
		}
		out = append(out, HookAnswer{Request: name, Response: resp, Took: time.Since(start)})
	}
	return out, nil
}

// PrintHookAnswers prints each answer as the JSON the function returns, one object per line, then the times.
func PrintHookAnswers(out io.Writer, answers []HookAnswer) error {
	fmt.Fprintln(out, "CloudFormation hook (events/hook/):")
	for _, a := range answers {
		line, err := json.Marshal(a.Response)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s\n", line)
	}
	for _, a := range answers {
		fmt.Fprintf(out, "  %s answered %s in %.1f ms (CloudFormation waits at most 30 s)\n", a.Request, a.Response.HookStatus, float64(a.Took.Microseconds())/1000)
	}
	return nil
}
