package lambdafn

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// ParameterGetter is the SSM call that reads the audit configuration.
type ParameterGetter interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// configFromParameter returns getenv with AUDIT_CONFIG read from the SSM parameter AUDIT_CONFIG_PARAMETER names,
// when it names one: a configuration larger than Lambda's 4 KB of environment variables lives there. Setting both
// is an error, since either could be the one meant.
func configFromParameter(ctx context.Context, getenv func(string) string, ps ParameterGetter) (func(string) string, error) {
	name := getenv("AUDIT_CONFIG_PARAMETER")
	if name == "" {
		return getenv, nil
	}
	if getenv("AUDIT_CONFIG") != "" {
		return nil, fmt.Errorf("environment variables AUDIT_CONFIG and AUDIT_CONFIG_PARAMETER: set one, not both")
	}
	out, err := ps.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read the audit configuration from SSM parameter %s (AUDIT_CONFIG_PARAMETER): %w", name, err)
	}
	if out.Parameter == nil {
		return nil, fmt.Errorf("read the audit configuration from SSM parameter %s (AUDIT_CONFIG_PARAMETER): no value", name)
	}
	config := aws.ToString(out.Parameter.Value)
	return func(k string) string {
		if k == "AUDIT_CONFIG" {
			return config
		}
		return getenv(k)
	}, nil
}
