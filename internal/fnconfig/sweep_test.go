package fnconfig

import (
	"strings"
	"testing"
	"time"
)

func TestSweepFromEnvDefaults(t *testing.T) {
	s, err := SweepFromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if s.MaxAge != 7*24*time.Hour || s.PaceShare != 0.5 || s.Concurrency != 4 || s.MemberRole != "ecsaudit-member" ||
		!s.SelfContinue || len(s.MemberAccounts) != 0 {
		t.Errorf("defaults: %+v", s)
	}
}

func TestSweepFromEnvValues(t *testing.T) {
	env := map[string]string{
		"SWEEP_MAX_AGE_DAYS": "3", "SWEEP_PACE_SHARE": "0.25", "SWEEP_CONCURRENCY": "8",
		"MEMBER_ACCOUNTS": " 111122223333, 444455556666,111122223333,", "MEMBER_ROLE_NAME": "audit",
		"MEMBER_EXTERNAL_ID": "x-1", "SWEEP_SELF_CONTINUE": "false", "AWS_LAMBDA_FUNCTION_NAME": "stack-Sweeper",
	}
	s, err := SweepFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if s.MaxAge != 3*24*time.Hour || s.PaceShare != 0.25 || s.Concurrency != 8 || s.MemberRole != "audit" ||
		s.MemberExternalID != "x-1" || s.SelfContinue || s.FunctionName != "stack-Sweeper" ||
		strings.Join(s.MemberAccounts, ",") != "111122223333,444455556666" {
		t.Errorf("values: %+v", s)
	}
}

func TestSweepFromEnvNamesEachBadVariable(t *testing.T) {
	env := map[string]string{
		"SWEEP_MAX_AGE_DAYS": "45", "SWEEP_PACE_SHARE": "1.5", "SWEEP_CONCURRENCY": "zero",
		"MEMBER_ACCOUNTS": "1234", "MEMBER_ROLE_NAME": "arn:aws:iam::111122223333:role/x", "SWEEP_SELF_CONTINUE": "maybe",
	}
	_, err := SweepFromEnv(func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("want errors")
	}
	for name := range env {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("the error does not name %s: %v", name, err)
		}
	}
}
