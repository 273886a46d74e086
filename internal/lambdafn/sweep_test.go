package lambdafn

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsaudit/ecsaudit/internal/fnconfig"
	"github.com/ecsaudit/ecsaudit/internal/publish"
)

// The sweeper's environment becomes its sweep configuration: the options, the continuation through the function
// itself, and the member accounts.
func TestSweepConfigFromEnvironment(t *testing.T) {
	env := map[string]string{
		"SWEEP_MAX_AGE_DAYS": "3", "SWEEP_PACE_SHARE": "0.25", "MEMBER_ACCOUNTS": "111122223333,444455556666",
		"MEMBER_ROLE_NAME": "audit-role", "MEMBER_EXTERNAL_ID": "x-1", "AWS_LAMBDA_FUNCTION_NAME": "stack-Sweeper-ABC",
	}
	sc, err := fnconfig.SweepFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	fc := &fnconfig.Function{RevisionMode: "all", ReportPasses: true}
	cfg := aws.Config{Region: "eu-west-1"}
	got := &Service{}
	sweepConfig(got, sc, fc, cfg, "999988887777", publish.Options{})
	o := got.SweepOptions
	if o.Mode != "all" || o.MaxAge != 3*24*time.Hour || o.PaceShare != 0.25 || !o.ReportPasses || o.Version == "" {
		t.Errorf("options %+v", o)
	}
	c, ok := got.Continue.(*Continuer)
	if !ok || c.Function != "stack-Sweeper-ABC" || c.Account != "999988887777" || c.Region != "eu-west-1" || c.Lambda == nil {
		t.Errorf("continuer %+v, want the function itself", got.Continue)
	}
	m := got.Members
	if m == nil || len(m.Accounts) != 2 || m.RoleName != "audit-role" || m.ExternalID != "x-1" || m.Sink == nil {
		t.Fatalf("members %+v", m)
	}

	// Without a function name (outside Lambda) or with SWEEP_SELF_CONTINUE=false there is no continuation; without
	// MEMBER_ACCOUNTS no members.
	for _, e := range []map[string]string{{}, {"AWS_LAMBDA_FUNCTION_NAME": "f", "SWEEP_SELF_CONTINUE": "false"}} {
		sc, err := fnconfig.SweepFromEnv(func(k string) string { return e[k] })
		if err != nil {
			t.Fatal(err)
		}
		got := &Service{}
		if sweepConfig(got, sc, fc, cfg, "999988887777", publish.Options{}); got.Continue != nil || got.Members != nil {
			t.Errorf("environment %v: continuation %v, members %v; want neither", e, got.Continue, got.Members)
		}
	}
}
