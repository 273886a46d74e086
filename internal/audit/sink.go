package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/notify"
	"github.com/ecsaudit/ecsaudit/internal/publish"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

// HubSink publishes to Security Hub, keeps the finding state, and announces new failures on SNS.
type HubSink struct {
	Publisher *publish.Publisher
	// Notifier is nil when no topic is configured.
	Notifier *notify.Notifier
	// Baseline, when set, takes the Notifier's place for the first full sweep of the account and region: that
	// sweep's findings are recorded as notified without a message, so installing the auditor sends no flood.
	Baseline        *notify.Notifier
	Account, Region string
	State           *state.Store
	Log             *slog.Logger
}

// Publish implements Sink. Findings are published before anything is archived, and notifications go out only
// after Security Hub accepted the findings they announce.
func (h *HubSink) Publish(ctx context.Context, b *Batch) error {
	var errs []error
	out, err := h.Publisher.Publish(ctx, b.Evaluated)
	if err != nil {
		errs = append(errs, fmt.Errorf("publish findings: %w", err))
	}
	h.Log.Info("findings published", "created", out.Created, "updated", out.Updated, "resolved", out.Resolved,
		"archived", out.Archived, "reopened", out.Reopened, "unchanged", out.Unchanged, "skipped", out.Skipped, "failed", len(out.Failed))
	if len(b.Archived) > 0 {
		arch, err := h.Publisher.ArchiveResources(ctx, b.Archived)
		if err != nil {
			errs = append(errs, fmt.Errorf("archive findings: %w", err))
		}
		h.Log.Info("findings of removed resources archived", "resources", len(b.Archived), "archived", arch.Archived)
	}
	n, baseline := h.Notifier, false
	if b.Sweep && h.Baseline != nil && len(errs) == 0 {
		done, err := h.State.BaselineDone(ctx, h.Account, h.Region)
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		if !done {
			n, baseline = h.Baseline, true
		}
	}
	if n != nil && len(out.Notify) > 0 {
		res, err := n.Notify(ctx, out.Notify)
		if err != nil {
			errs = append(errs, fmt.Errorf("notify: %w", err))
		}
		h.Log.Info("notifications sent", "messages", res.Messages, "notified", len(res.Notified), "baselined", len(res.Baselined))
	}
	if baseline && len(errs) == 0 {
		if err := h.State.MarkBaseline(ctx, h.Account, h.Region, time.Now()); err != nil {
			errs = append(errs, err)
		}
		h.Log.Info("first full sweep recorded as the baseline: its findings were not notified")
	}
	return errors.Join(errs...)
}

// OpenResources implements OpenResources.
func (h *HubSink) OpenResources(ctx context.Context) ([]string, error) {
	return h.State.OpenResources(ctx)
}
