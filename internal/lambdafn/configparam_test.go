package lambdafn

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ecsaudit/ecsaudit/internal/metrics"
)

type fakeParameters map[string]string

func (f fakeParameters) GetParameter(_ context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	v, ok := f[aws.ToString(in.Name)]
	if !ok {
		return nil, errors.New("ParameterNotFound")
	}
	return &ssm.GetParameterOutput{Parameter: &ssmtypes.Parameter{Value: aws.String(v)}}, nil
}

func TestConfigFromParameter(t *testing.T) {
	ctx := context.Background()
	ps := fakeParameters{"/ecsaudit/config": `{"settings":{}}`}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	get, err := configFromParameter(ctx, env(map[string]string{"AUDIT_CONFIG_PARAMETER": "/ecsaudit/config", "LOG_LEVEL": "INFO"}), ps)
	if err != nil || get("AUDIT_CONFIG") != `{"settings":{}}` || get("LOG_LEVEL") != "INFO" {
		t.Fatalf("configFromParameter: %v, AUDIT_CONFIG %q", err, get("AUDIT_CONFIG"))
	}
	get, err = configFromParameter(ctx, env(map[string]string{"AUDIT_CONFIG": "{}"}), ps)
	if err != nil || get("AUDIT_CONFIG") != "{}" {
		t.Fatalf("without a parameter the variable must be used: %v", err)
	}
	if _, err := configFromParameter(ctx, env(map[string]string{"AUDIT_CONFIG": "{}", "AUDIT_CONFIG_PARAMETER": "/ecsaudit/config"}), ps); err == nil {
		t.Error("both set: no error")
	}
	if _, err := configFromParameter(ctx, env(map[string]string{"AUDIT_CONFIG_PARAMETER": "/missing"}), ps); err == nil || !strings.Contains(err.Error(), "/missing") {
		t.Errorf("missing parameter: %v", err)
	}
}

func TestBusySweepIsCounted(t *testing.T) {
	rec := metrics.New("Sweeper")
	var out bytes.Buffer
	log := slog.New(countBusy(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelWarn}), rec)).With("function", "Sweeper")
	log.Info("sweep invocation done", "done", false, "busy", true)
	log.Info("sweep invocation done", "done", true, "busy", false)
	if got := rec.Get(SweepsSkipped); got != 1 {
		t.Errorf("%s = %v, want 1", SweepsSkipped, got)
	}
	if out.Len() != 0 {
		t.Errorf("an INFO record was written at level WARN: %s", out.String())
	}
}
