package lambdafn_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ecsaudit/ecsaudit/internal/lambdafn"
	"github.com/ecsaudit/ecsaudit/internal/testenv/demo"
)

// TestConfigParameterInTheEmulator starts a function whose configuration is in an SSM parameter, as the template's
// AuditConfigParameter sets it up: a good configuration starts it, a bad or missing one stops it with an error that
// names the parameter.
func TestConfigParameterInTheEmulator(t *testing.T) {
	ctx := context.Background()
	e, err := demo.Start(ctx, root())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	client := ssm.NewFromConfig(e.Config)
	put := func(name, value string) {
		if _, err := client.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value),
			Type: ssmtypes.ParameterTypeString}); err != nil {
			t.Fatalf("put parameter %s: %v", name, err)
		}
	}
	big := `{"suppressions":[` + strings.Repeat(`{"rule":"task.root-user","resource":"arn:aws:ecs:*:*:task-definition/padding-family-name:*","reason":"a configuration larger than Lambda's environment allows"},`, 40)
	big = strings.TrimSuffix(big, ",") + `]}`
	put("/ecsaudit/config", big)
	put("/ecsaudit/bad", `{"rules":`)
	setup := func(param string) error {
		env := map[string]string{"STATE_TABLE": "ecsaudit-state", "AUDIT_CONFIG_PARAMETER": param}
		_, err := lambdafn.Setup(ctx, "TaskDefinitionAuditor", func(k string) string { return env[k] }, e.Config, io.Discard)
		return err
	}
	if len(big) <= 4096 {
		t.Fatalf("the configuration is %d bytes: it would fit in the environment", len(big))
	}
	if err := setup("/ecsaudit/config"); err != nil {
		t.Errorf("a %d-byte configuration in SSM: %v", len(big), err)
	}
	if err := setup("/ecsaudit/bad"); err == nil || !strings.Contains(err.Error(), "AUDIT_CONFIG") {
		t.Errorf("a bad configuration in SSM: %v", err)
	}
	if err := setup("/ecsaudit/missing"); err == nil || !strings.Contains(err.Error(), "/ecsaudit/missing") {
		t.Errorf("a missing parameter: %v", err)
	}
}
