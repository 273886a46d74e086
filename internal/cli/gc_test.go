package cli

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	tests := []struct {
		name           string
		vars           map[string]string
		percent, limit int64
	}{
		{"defaults", nil, scanGCPercent, scanMemoryLimit},
		{"GOGC set", map[string]string{"GOGC": "100"}, 100, math.MaxInt64},
		{"GOGC off", map[string]string{"GOGC": "off"}, 100, math.MaxInt64},
		{"GOMEMLIMIT set", map[string]string{"GOMEMLIMIT": "2GiB"}, scanGCPercent, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Known settings before, so that what tuneGC leaves alone can be checked.
			oldPercent := debug.SetGCPercent(100)
			oldLimit := debug.SetMemoryLimit(math.MaxInt64)
			defer func() {
				debug.SetGCPercent(oldPercent)
				debug.SetMemoryLimit(oldLimit)
			}()
			restore := tuneGC(env(tt.vars))
			percent, limit := int64(debug.SetGCPercent(-1)), debug.SetMemoryLimit(-1)
			debug.SetGCPercent(int(percent))
			if percent != tt.percent || limit != tt.limit {
				t.Errorf("GC percent %d, memory limit %d; want %d, %d", percent, limit, tt.percent, tt.limit)
			}
			restore()
			if p, l := debug.SetGCPercent(100), debug.SetMemoryLimit(-1); p != 100 || l != math.MaxInt64 {
				t.Errorf("after restore: GC percent %d, memory limit %d; want 100, no limit", p, l)
			}
		})
	}
}
