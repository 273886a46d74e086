package taskdef

import (
	"fmt"
	"testing"
)

func TestContainerPath(t *testing.T) {
	for i := range 12 {
		if got, want := containerPath(i), fmt.Sprintf("containerDefinitions/%d", i); got != want {
			t.Errorf("containerPath(%d) = %q, want %q", i, got, want)
		}
	}
	if got := containerPath(3, "linuxParameters", "devices", "0"); got != "containerDefinitions/3/linuxParameters/devices/0" {
		t.Errorf("containerPath with fields = %q", got)
	}
}
