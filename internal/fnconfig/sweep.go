package fnconfig

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Sweep is the sweeper's configuration beyond Function: how it spends the account's API rate, how long it trusts
// what it audited, which other accounts it audits, and whether it continues itself when one invocation is not enough.
type Sweep struct {
	// MaxAge is SWEEP_MAX_AGE_DAYS (default 7, from 1 to 30): revisions and other resources audited longer ago are
	// audited again, spread over sweeps.
	MaxAge time.Duration
	// PaceShare is SWEEP_PACE_SHARE (default 0.5, above 0 and at most 1): the share of ECS's 20 calls per second the
	// sweep uses.
	PaceShare float64
	// Concurrency is SWEEP_CONCURRENCY (default 4, from 1 to 32): calls in flight at once, within the pace.
	Concurrency int
	// MemberAccounts is MEMBER_ACCOUNTS: comma-separated 12-digit account IDs audited through MemberRole.
	MemberAccounts []string
	// MemberRole is MEMBER_ROLE_NAME (default ecsaudit-member, the role infra/member-role.yaml creates).
	MemberRole string
	// MemberExternalID is MEMBER_EXTERNAL_ID, passed to AssumeRole when set.
	MemberExternalID string
	// SelfContinue is SWEEP_SELF_CONTINUE (default true): when the time runs out the sweeper checkpoints and invokes
	// itself to resume; false leaves the rest to the next scheduled invocation.
	SelfContinue bool
	// FunctionName is AWS_LAMBDA_FUNCTION_NAME, which Lambda sets: the function the continuation invokes.
	FunctionName string
}

var accountID = regexp.MustCompile(`^\d{12}$`)

// SweepFromEnv reads the sweeper's configuration. A bad value is an error naming the variable.
func SweepFromEnv(getenv func(string) string) (*Sweep, error) {
	s := &Sweep{MaxAge: 7 * 24 * time.Hour, PaceShare: 0.5, Concurrency: 4, MemberRole: "ecsaudit-member", SelfContinue: true}
	var errs []error
	bad := func(name string, err error) {
		errs = append(errs, fmt.Errorf("environment variable %s: %w", name, err))
	}
	if v := strings.TrimSpace(getenv("SWEEP_MAX_AGE_DAYS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 30 {
			bad("SWEEP_MAX_AGE_DAYS", fmt.Errorf("want whole days from 1 to 30 (findings must be re-imported within 30 days), got %q", v))
		} else {
			s.MaxAge = time.Duration(n) * 24 * time.Hour
		}
	}
	if v := strings.TrimSpace(getenv("SWEEP_PACE_SHARE")); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f > 1 {
			bad("SWEEP_PACE_SHARE", fmt.Errorf("want a share above 0 and at most 1, got %q", v))
		} else {
			s.PaceShare = f
		}
	}
	if v := strings.TrimSpace(getenv("SWEEP_CONCURRENCY")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 32 {
			bad("SWEEP_CONCURRENCY", fmt.Errorf("want a number from 1 to 32, got %q", v))
		} else {
			s.Concurrency = n
		}
	}
	if v := strings.TrimSpace(getenv("MEMBER_ACCOUNTS")); v != "" {
		seen := map[string]bool{}
		for _, a := range strings.Split(v, ",") {
			a = strings.TrimSpace(a)
			switch {
			case a == "":
			case !accountID.MatchString(a):
				bad("MEMBER_ACCOUNTS", fmt.Errorf("%q is not a 12-digit account ID", a))
			case !seen[a]:
				seen[a] = true
				s.MemberAccounts = append(s.MemberAccounts, a)
			}
		}
	}
	if v := strings.TrimSpace(getenv("MEMBER_ROLE_NAME")); v != "" {
		if strings.ContainsAny(v, ":/ ") {
			bad("MEMBER_ROLE_NAME", errors.New("want a role name, not an ARN or a path"))
		} else {
			s.MemberRole = v
		}
	}
	s.MemberExternalID = strings.TrimSpace(getenv("MEMBER_EXTERNAL_ID"))
	var err error
	if v := getenv("SWEEP_SELF_CONTINUE"); v != "" {
		if s.SelfContinue, err = boolVar(v); err != nil {
			bad("SWEEP_SELF_CONTINUE", err)
		}
	}
	s.FunctionName = strings.TrimSpace(getenv("AWS_LAMBDA_FUNCTION_NAME"))
	return s, errors.Join(errs...)
}
