// Package fnconfig reads a Lambda function's configuration from the environment variables the SAM template sets.
// A bad value is an error naming the variable, so the function stops at start instead of auditing with a wrong setting.
package fnconfig

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Function is one function's configuration.
type Function struct {
	StateTable string
	TopicARN   string
	// NotifyThreshold is the lowest severity that is notified through SNS.
	NotifyThreshold rule.Severity
	// Audit is the rule configuration: AUDIT_CONFIG (a JSON configuration document, as for the CLI) with
	// TRUSTED_REGISTRIES and VULNERABILITY_THRESHOLD applied on top, and SEVERITY_THRESHOLD as its MinSeverity: the
	// lowest severity of a FAILED finding that is reported at all (default INFORMATIONAL: all).
	Audit *config.Config
	// RevisionMode is "latest" (the latest ACTIVE revision of each family) or "all" (every ACTIVE revision).
	RevisionMode string
	ReportPasses bool
	// Baseline makes the first full sweep of the account and region record its findings without notifying.
	Baseline bool
	LogLevel slog.Level
}

// FromEnv reads the configuration; known reports whether a rule ID exists.
func FromEnv(getenv func(string) string, known func(string) bool) (*Function, error) {
	f := &Function{NotifyThreshold: rule.High, RevisionMode: "latest", Audit: config.Default()}
	var errs []error
	bad := func(name string, err error) {
		errs = append(errs, fmt.Errorf("environment variable %s: %w", name, err))
	}
	f.StateTable = strings.TrimSpace(getenv("STATE_TABLE"))
	if f.StateTable == "" {
		bad("STATE_TABLE", errors.New("required: the DynamoDB state table name"))
	}
	f.TopicARN = strings.TrimSpace(getenv("TOPIC_ARN"))
	if f.TopicARN != "" && !strings.HasPrefix(f.TopicARN, "arn:") {
		bad("TOPIC_ARN", fmt.Errorf("want an SNS topic ARN, got %q", f.TopicARN))
	}
	if v := getenv("AUDIT_CONFIG"); strings.TrimSpace(v) != "" {
		c, err := config.Parse("AUDIT_CONFIG", []byte(v), known)
		if err != nil {
			bad("AUDIT_CONFIG", err)
		} else {
			f.Audit = c
		}
	}
	if v := getenv("NOTIFY_THRESHOLD"); v != "" {
		s, err := rule.ParseSeverity(v)
		if err != nil {
			bad("NOTIFY_THRESHOLD", err)
		}
		f.NotifyThreshold = s
	}
	if v := getenv("SEVERITY_THRESHOLD"); v != "" {
		s, err := rule.ParseSeverity(v)
		if err != nil {
			bad("SEVERITY_THRESHOLD", err)
		}
		f.Audit.MinSeverity = s
	}
	if v := getenv("VULNERABILITY_THRESHOLD"); v != "" {
		s, err := rule.ParseSeverity(v)
		if err != nil {
			bad("VULNERABILITY_THRESHOLD", err)
		}
		f.Audit.Settings.VulnerabilityThreshold = s
	}
	if v := strings.TrimSpace(getenv("TRUSTED_REGISTRIES")); v != "" {
		var list []string
		for _, p := range strings.Split(v, ",") {
			if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
				list = append(list, p)
			}
		}
		if len(list) == 0 {
			bad("TRUSTED_REGISTRIES", fmt.Errorf("no registry pattern in %q", v))
		}
		f.Audit.Settings.TrustedRegistries = list
	}
	switch v := getenv("REVISION_MODE"); v {
	case "", "latest":
	case "all":
		f.RevisionMode = "all"
	default:
		bad("REVISION_MODE", fmt.Errorf("want latest or all, got %q", v))
	}
	var err error
	if f.ReportPasses, err = boolVar(getenv("REPORT_PASSES")); err != nil {
		bad("REPORT_PASSES", err)
	}
	if f.Baseline, err = boolVar(getenv("BASELINE_MODE")); err != nil {
		bad("BASELINE_MODE", err)
	}
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := f.LogLevel.UnmarshalText([]byte(v)); err != nil {
			bad("LOG_LEVEL", fmt.Errorf("want DEBUG, INFO, WARN or ERROR, got %q", v))
		}
	}
	return f, errors.Join(errs...)
}

func boolVar(v string) (bool, error) {
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("want true or false, got %q", v)
	}
	return b, nil
}
