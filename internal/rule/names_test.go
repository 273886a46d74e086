package rule

import "testing"

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "anything/at:all", true},
		{"sha256-*", "sha256-abc.sig", true},
		{"sha256-*", "sha256-*.att", true},
		{"sha256-*", "v1.0", false},
		{"*.dkr.ecr.*.amazonaws.com", "111122223333.dkr.ecr.eu-west-1.amazonaws.com", true},
		{"*.dkr.ecr.*.amazonaws.com", "111122223333.dkr.ecr.eu-west-1.amazonaws.com.cn", false},
		{"arn:aws:ecs:*:task-definition/web:*", "arn:aws:ecs:us-east-1:1:task-definition/web:7", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"exact", "exact", true},
		{"exact", "exactly", false},
		{"*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	}
	for _, tt := range tests {
		if got := Glob(tt.pattern, tt.s); got != tt.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestNormalizeCapability(t *testing.T) {
	for in, want := range map[string]string{"cap_sys_admin": "SYS_ADMIN", "SYS_ADMIN": "SYS_ADMIN", " all ": "ALL", "CAP_NET_RAW": "NET_RAW"} {
		if got := NormalizeCapability(in); got != want {
			t.Errorf("NormalizeCapability(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSeverityOrder(t *testing.T) {
	if !Critical.AtLeast(High) || Low.AtLeast(Medium) || Severity("BOGUS").AtLeast(Low) {
		t.Fatal("severity ordering is wrong")
	}
	if _, err := ParseSeverity("urgent"); err == nil {
		t.Fatal("ParseSeverity accepted an unknown label")
	}
	if s, err := ParseSeverity(" high "); err != nil || s != High {
		t.Fatalf("ParseSeverity(high) = %v, %v", s, err)
	}
}
