package engine

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/model"
)

func TestInvalidSuppressionTagDetailIsRedacted(t *testing.T) {
	e := &Engine{cfg: config.Default()}
	f := e.invalidTagFinding(NewSubject(&model.TaskDefinition{}), `unknown rule "redis://:PlantedPw@cache"`)
	if strings.Contains(f.Detail, "PlantedPw") || !strings.Contains(f.Detail, "<redacted: looks like a password URL>") {
		t.Errorf("detail %q", f.Detail)
	}
}
