package taskdef

import (
	"encoding/json"
	"strings"
	"testing"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

func TestTaskOS(t *testing.T) {
	cases := []struct {
		name    string
		doc     string
		windows bool
		why     string
	}{
		{"declared Windows", `{"runtimePlatform":{"operatingSystemFamily":"WINDOWS_SERVER_2019_FULL"},"containerDefinitions":[{"name":"a","image":"nginx"}]}`,
			true, "operatingSystemFamily is WINDOWS_SERVER_2019_FULL"},
		{"declared Linux beats a Windows image", `{"runtimePlatform":{"operatingSystemFamily":"LINUX"},"containerDefinitions":[{"name":"a","image":"mcr.microsoft.com/windows/servercore:ltsc2022"}]}`,
			false, "operatingSystemFamily is LINUX"},
		{"platform with architecture only is inferred", `{"runtimePlatform":{"cpuArchitecture":"X86_64"},"containerDefinitions":[{"name":"a","image":"mcr.microsoft.com/windows/nanoserver:ltsc2022"}]}`,
			true, `container "a" runs the Windows image "mcr.microsoft.com/windows/nanoserver:ltsc2022"`},
		{"mcr windows", `{"containerDefinitions":[{"name":"iis","image":"mcr.microsoft.com/windows/servercore/iis"}]}`,
			true, `no runtimePlatform, and container "iis" runs the Windows image`},
		{"mcr windows base", `{"containerDefinitions":[{"name":"w","image":"MCR.Microsoft.com/Windows:ltsc2019"}]}`, true, "Windows image"},
		{"dotnet framework", `{"containerDefinitions":[{"name":"app","image":"mcr.microsoft.com/dotnet/framework/aspnet:4.8"}]}`, true, "dotnet/framework/aspnet"},
		{"servercore tag", `{"containerDefinitions":[{"name":"app","image":"golang:1.22-windowsservercore-ltsc2022"}]}`, true, "windowsservercore"},
		{"nanoserver tag", `{"containerDefinitions":[{"name":"app","image":"mcr.microsoft.com/dotnet/runtime:8.0-nanoserver-1809"}]}`, true, "nanoserver"},
		{"second container decides", `{"containerDefinitions":[{"name":"a","image":"busybox"},{"name":"b","image":"mcr.microsoft.com/windows/nanoserver"}]}`, true, `container "b"`},
		{"working directory", `{"containerDefinitions":[{"name":"app","image":"myco/app","workingDirectory":"C:\\app"}]}`,
			true, `container "app" has the Windows working directory "C:\\app"`},
		{"mount point, forward slash", `{"containerDefinitions":[{"name":"app","image":"myco/app","mountPoints":[{"sourceVolume":"d","containerPath":"d:/data"}]}]}`,
			true, `mounts at the Windows path "d:/data"`},
		{"host volume", `{"volumes":[{"name":"logs","host":{"sourcePath":"C:\\ProgramData\\logs"}}],"containerDefinitions":[{"name":"app","image":"myco/app"}]}`,
			true, `volume "logs" has the Windows host path`},
		{"named pipe", `{"volumes":[{"name":"docker","host":{"sourcePath":"\\\\.\\pipe\\docker_engine"}}],"containerDefinitions":[{"name":"agent","image":"datadog/agent"}]}`,
			true, `volume "docker" has the Windows host path`},
		{"credential spec alone is Linux", `{"containerDefinitions":[{"name":"app","image":"myco/app","credentialSpecs":["credentialspecdomainless:arn:aws:s3:::b/spec.json"]}]}`, false, ""},
		{"linux image and paths", `{"volumes":[{"name":"v","host":{"sourcePath":"/var/log"}}],"containerDefinitions":[{"name":"app","image":"public.ecr.aws/nginx/nginx:1.25","workingDirectory":"/srv","mountPoints":[{"sourceVolume":"v","containerPath":"/c:/x"}]}]}`, false, ""},
		{"windows in a repository name is not enough", `{"containerDefinitions":[{"name":"app","image":"myco/windows-exporter-builder"}]}`, false, ""},
		{"a relative path with a colon is not a drive", `{"containerDefinitions":[{"name":"app","image":"x","workingDirectory":"1:\\x"}]}`, false, ""},
		{"no containers", `{}`, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var def ecstypes.TaskDefinition
			if err := json.Unmarshal([]byte(tc.doc), &def); err != nil {
				t.Fatal(err)
			}
			got := taskOS(&model.TaskDefinition{Def: def})
			if got.windows != tc.windows {
				t.Errorf("windows = %v, want %v (why %q)", got.windows, tc.windows, got.why)
			}
			if tc.why == "" && got.why != "" && !strings.Contains(tc.doc, "runtimePlatform") {
				t.Errorf("why = %q, want none", got.why)
			}
			if !strings.Contains(got.why, tc.why) {
				t.Errorf("why = %q, want it to contain %q", got.why, tc.why)
			}
		})
	}
}
