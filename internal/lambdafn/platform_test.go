package lambdafn

import (
	"testing"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

func TestTaskPlatform(t *testing.T) {
	tests := []struct {
		name string
		rp   *ecstypes.RuntimePlatform
		want string
	}{
		{"none declared: every platform", nil, ""},
		{"empty", &ecstypes.RuntimePlatform{}, ""},
		{"graviton", &ecstypes.RuntimePlatform{CpuArchitecture: ecstypes.CPUArchitectureArm64, OperatingSystemFamily: ecstypes.OSFamilyLinux}, "linux/arm64"},
		{"x86 linux", &ecstypes.RuntimePlatform{CpuArchitecture: ecstypes.CPUArchitectureX8664}, "linux/amd64"},
		{"linux without an architecture is x86", &ecstypes.RuntimePlatform{OperatingSystemFamily: ecstypes.OSFamilyLinux}, "linux/amd64"},
		{"windows", &ecstypes.RuntimePlatform{OperatingSystemFamily: ecstypes.OSFamilyWindowsServer2022Core}, "windows/amd64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := &model.TaskDefinition{}
			td.Def.RuntimePlatform = tt.rp
			if got := taskPlatform(td); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got := taskPlatform(nil); got != "" {
		t.Errorf("no revision: got %q", got)
	}
}
