package fnconfig

import (
	"strings"
	"testing"
)

func TestContentsFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Contents
		err  string
	}{
		{"defaults", nil, Contents{MaxBytes: DefaultImageMaxBytes, PerSweep: 20}, ""},
		{"on", map[string]string{"IMAGE_CONTENTS": "true"}, Contents{On: true, MaxBytes: DefaultImageMaxBytes, PerSweep: 20}, ""},
		{"budget and endpoint", map[string]string{"IMAGE_CONTENTS": "true", "IMAGE_MAX_BYTES": "104857600", "ECR_REGISTRY_ENDPOINT": "http://127.0.0.1:5000"},
			Contents{On: true, MaxBytes: 100 << 20, Endpoint: "http://127.0.0.1:5000", PerSweep: 20}, ""},
		{"per sweep", map[string]string{"IMAGE_CONTENTS_PER_SWEEP": "0"}, Contents{MaxBytes: DefaultImageMaxBytes}, ""},
		{"per sweep out of range", map[string]string{"IMAGE_CONTENTS_PER_SWEEP": "5000"}, Contents{}, "IMAGE_CONTENTS_PER_SWEEP"},
		{"bad switch", map[string]string{"IMAGE_CONTENTS": "maybe"}, Contents{}, "IMAGE_CONTENTS"},
		{"budget too small", map[string]string{"IMAGE_MAX_BYTES": "10"}, Contents{}, "IMAGE_MAX_BYTES"},
		{"endpoint not a URL", map[string]string{"ECR_REGISTRY_ENDPOINT": "127.0.0.1:5000"}, Contents{}, "ECR_REGISTRY_ENDPOINT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ContentsFromEnv(func(k string) string { return tt.env[k] })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one naming %s", err, tt.err)
				}
				return
			}
			if err != nil || *c != tt.want {
				t.Fatalf("got %+v, %v; want %+v", c, err, tt.want)
			}
		})
	}
}
