package lambdafn

import (
	"context"
	"log/slog"

	"github.com/ecsaudit/ecsaudit/internal/metrics"
)

// SweepsSkipped is the metric of a scheduled sweep that did nothing because another invocation held the sweep's
// lease: one now and then is a slow sweep, a run of them a sweep that never finishes (the template alarms on it).
const SweepsSkipped = "SweepsSkipped"

// busyCounter is a log handler that counts, in SweepsSkipped, the records that say a sweep invocation was busy
// (an attribute busy=true), whatever the log level lets through.
type busyCounter struct {
	slog.Handler
	rec *metrics.Recorder
}

func countBusy(h slog.Handler, rec *metrics.Recorder) slog.Handler { return busyCounter{h, rec} }

// Enabled implements slog.Handler: every record is looked at, and only those the inner handler wants are written.
func (h busyCounter) Enabled(context.Context, slog.Level) bool { return true }

// Handle implements slog.Handler.
func (h busyCounter) Handle(ctx context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "busy" && a.Value.Kind() == slog.KindBool && a.Value.Bool() {
			h.rec.Add(SweepsSkipped, 1)
			return false
		}
		return true
	})
	if !h.Handler.Enabled(ctx, r.Level) {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h busyCounter) WithAttrs(as []slog.Attr) slog.Handler {
	return busyCounter{h.Handler.WithAttrs(as), h.rec}
}

// WithGroup implements slog.Handler.
func (h busyCounter) WithGroup(name string) slog.Handler {
	return busyCounter{h.Handler.WithGroup(name), h.rec}
}
