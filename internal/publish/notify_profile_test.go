package publish

import (
	"fmt"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// TestNotifyAlertProfile: with an alert profile, only that profile's new failures are notified; both profiles'
// findings are still imported into Security Hub.
func TestNotifyAlertProfile(t *testing.T) {
	baseline := containerRule("test.critical", rule.Critical, "crit")
	baseline.Meta.Profile = rule.Baseline
	restricted := containerRule("test.high", rule.High, "high")
	restricted.Meta.Profile = rule.Restricted
	e := newNotifyEnv(t)
	e.eng = engine.New(engine.NewCatalog(baseline, restricted), nil)
	web := notifyTaskDef("web", "crit-app", "high-proxy")

	out, res := e.run(NotifyOptions{AlertProfile: rule.Baseline}, web)
	if len(out.Notify) != 2 {
		t.Fatalf("want both failures published as candidates, got %d", len(out.Notify))
	}
	msgs := e.receive()
	if res.Messages != 1 || len(msgs) != 1 {
		t.Fatalf("want one message, got %d (%+v)", len(msgs), res)
	}
	if got, want := fmt.Sprint(docIDs(msgs[0].Doc)), fmt.Sprint([]string{id(web, "test.critical", "crit-app")}); got != want {
		t.Errorf("notified %s, want only the baseline finding %s", got, want)
	}

	// Without an alert profile the restricted failure, never notified, is announced.
	_, res = e.run(NotifyOptions{}, web)
	msgs = e.receive()
	if len(msgs) != 1 || fmt.Sprint(docIDs(msgs[0].Doc)) != fmt.Sprint([]string{id(web, "test.high", "high-proxy")}) {
		t.Errorf("without alertProfile: %+v, messages %+v", res, msgs)
	}
}
