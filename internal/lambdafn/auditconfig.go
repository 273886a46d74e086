package lambdafn

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/config"
)

// AuditConfig reads the audit configuration every function shares: AUDIT_CONFIG, or the SSM parameter that
// AUDIT_CONFIG_PARAMETER names, with SEVERITY_THRESHOLD applied. It serves the functions outside the event
// pipeline (the CloudFormation hook), so that their suppressions and overrides are the auditors'.
func AuditConfig(ctx context.Context, getenv func(string) string, cfg aws.Config) (*config.Config, error) {
	getenv, err := configFromParameter(ctx, getenv, ssm.NewFromConfig(cfg))
	if err != nil {
		return nil, err
	}
	cat := catalog.Default()
	known := func(id string) bool { return cat.Lookup(id) != nil }
	c := config.Default()
	if v := getenv("AUDIT_CONFIG"); strings.TrimSpace(v) != "" {
		if c, err = config.Parse("AUDIT_CONFIG", []byte(v), known); err != nil {
			return nil, err
		}
	}
	return c, nil
}
