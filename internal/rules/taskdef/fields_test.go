package taskdef

import "testing"

func TestSecurityOption(t *testing.T) {
	tests := []struct{ in, key, value string }{
		{"seccomp:unconfined", "seccomp", "unconfined"},
		{"seccomp=unconfined", "seccomp", "unconfined"},
		{" Label:Type:SPC_T ", "label", "type:spc_t"},
		{"no-new-privileges", "no-new-privileges", ""},
		{"no-new-privileges:true", "no-new-privileges", "true"},
	}
	for _, tt := range tests {
		if k, v := securityOption(tt.in); k != tt.key || v != tt.value {
			t.Errorf("securityOption(%q) = %q, %q; want %q, %q", tt.in, k, v, tt.key, tt.value)
		}
	}
}
