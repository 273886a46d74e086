package image

import (
	"strconv"
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestSetuidFiles(t *testing.T) {
	var many []model.FileMode
	for i := range 25 {
		many = append(many, model.FileMode{Path: "/usr/bin/p" + strconv.Itoa(i), Mode: 0o4755})
	}
	tests := []struct {
		name   string
		img    model.ImageContents
		want   rule.Status
		detail string
	}{
		{"none", model.ImageContents{}, rule.Passed, "no setuid or setgid file"},
		{"two", model.ImageContents{SetuidFiles: []model.FileMode{{Path: "/usr/bin/su", Mode: 0o104755}, {Path: "/usr/bin/wall", Mode: 0o2755}}},
			rule.Failed, "2 setuid or setgid file(s): /usr/bin/su (4755), /usr/bin/wall (2755)"},
		{"up to 20 listed", model.ImageContents{SetuidFiles: many}, rule.Failed, "/usr/bin/p19 (4755) and 5 more"},
		{"partly read", model.ImageContents{Incomplete: "x", SetuidFiles: many}, rule.NotAvailable, "final filesystem is not known"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := check(SetuidFiles, &tt.img)
			if r.Status != tt.want || !strings.Contains(r.Detail, tt.detail) {
				t.Errorf("got %s %q, want %s containing %q", r.Status, r.Detail, tt.want, tt.detail)
			}
		})
	}
}
