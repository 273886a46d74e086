package image

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestRunsAsRoot(t *testing.T) {
	tests := []struct {
		name, user, platform string
		want                 rule.Status
		detail               string
	}{
		{"no user", "", "linux/amd64", rule.Failed, "sets no USER, so the container runs as root"},
		{"blank user", "  ", "linux/amd64", rule.Failed, "sets no USER"},
		{"root", "root", "linux/amd64", rule.Failed, `USER is "root", which is root`},
		{"uid 0 with a group", "0:1000", "linux/arm64", rule.Failed, `"0:1000", which is root`},
		{"zero-padded uid", "00", "", rule.Failed, "which is root"},
		{"root with a group", "root:root", "linux/amd64", rule.Failed, "which is root"},
		{"non-root", "1000", "linux/amd64", rule.Passed, `USER is "1000", which is not root`},
		{"group 0 only", "1000:0", "linux/amd64", rule.Passed, "not root"},
		{"named user", "nonroot", "linux/amd64", rule.Passed, `"nonroot", which is not root`},
		{"Windows", "", "windows/amd64", rule.NotApplicable, "Windows image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := check(RunsAsRoot, &model.ImageContents{Platform: tt.platform, Config: model.ImageConfig{User: tt.user}})
			if r.Status != tt.want || !strings.Contains(r.Detail, tt.detail) {
				t.Errorf("got %s %q, want %s containing %q", r.Status, r.Detail, tt.want, tt.detail)
			}
		})
	}
}
