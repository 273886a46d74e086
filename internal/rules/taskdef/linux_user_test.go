package taskdef

import (
	"strings"
	"testing"
)

func TestParseLinuxUser(t *testing.T) {
	p := func(s string) *string { return &s }
	tests := []struct {
		name   string
		user   *string
		root   bool
		detail string
	}{
		{"absent", nil, true, "image's USER: that may be non-root, but the task definition does not guarantee it"},
		{"empty", p(""), true, "image's USER"},
		{"blank", p("  "), true, "image's USER"},
		{"root", p("root"), true, `"root", which is root`},
		{"uid 0", p("0"), true, "which is root"},
		{"zero padded uid", p("00"), true, "which is root"},
		{"uid 0 gid 0", p("0:0"), true, "which is root"},
		{"root with group", p("root:wheel"), true, "which is root"},
		{"uid 0 with group", p("0:1000"), true, "which is root"},
		{"group only", p(":1000"), true, "names only a group, so the image's USER applies"},
		{"uid with group 0", p("1000:0"), false, "user 1000 is not root (only the group is 0)"},
		{"name with root group", p("app:root"), false, "only the group is root"},
		{"nobody", p("nobody"), false, "which is not root"},
		{"uid", p("1000"), false, "which is not root"},
		{"name that contains root", p("rootless"), false, "which is not root"},
		{"upper case ROOT is another user", p("ROOT"), false, "which is not root"},
		{"uid 10", p("10"), false, "which is not root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := parseLinuxUser(tt.user)
			if u.root != tt.root {
				t.Errorf("root = %v, want %v", u.root, tt.root)
			}
			if d := u.describe(); !strings.Contains(d, tt.detail) {
				t.Errorf("describe() = %q, want it to contain %q", d, tt.detail)
			}
		})
	}
}

// batchA lists the rules of this batch, so their metadata can be checked while the catalog-wide lint lives elsewhere.
