package image

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestShellPresent(t *testing.T) {
	tests := []struct {
		name   string
		img    model.ImageContents
		want   rule.Status
		detail string
	}{
		{"distroless", model.ImageContents{}, rule.Passed, "no shell or network tool"},
		{"busybox", model.ImageContents{Shells: []string{"/bin/busybox", "/bin/sh"}}, rule.Failed, "2 shell(s) or network tool(s): /bin/busybox, /bin/sh"},
		{"partly read", model.ImageContents{Incomplete: "budget"}, rule.NotAvailable, "read only in part"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := check(ShellPresent, &tt.img)
			if r.Status != tt.want || !strings.Contains(r.Detail, tt.detail) {
				t.Errorf("got %s %q, want %s containing %q", r.Status, r.Detail, tt.want, tt.detail)
			}
		})
	}
}
