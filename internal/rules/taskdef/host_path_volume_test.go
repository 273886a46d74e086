package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestHostPathVolume(t *testing.T) {
	mount := func(volume string) []string {
		return docsOf(`{"family":"f","containerDefinitions":[
			{"name":"app","image":"x","mountPoints":[{"sourceVolume":"v","containerPath":"/data"}]},
			{"name":"other","image":"y"}],
			"volumes":[` + volume + `]}`)
	}
	high := map[string]expected{"app": {status: rule.Failed, severity: rule.High, path: "containerDefinitions/0/mountPoints/0"}, "other": {status: rule.Passed}}
	medium := map[string]expected{"app": {status: rule.Failed, severity: rule.Medium}, "other": {status: rule.Passed}}
	passed := map[string]expected{"app": {status: rule.Passed}, "other": {status: rule.Passed}}
	var cases []resultCase
	for _, p := range []string{"/", "/proc", "/sys/fs/cgroup", "/dev", "/etc", "/etc/", "/root/.ssh", "/boot", "/var/run",
		"/run/containerd", "/var/lib/docker/containers", "/var/lib/ecs/data", "/var/run/docker.sock",
		"/home/ec2-user/docker.sock", "/run/containerd/containerd.sock", "/var/run/crio/crio.sock", "/data/../etc",
		"//proc", "/opt/../../"} {
		cases = append(cases, resultCase{name: "high " + p, docs: mount(`{"name":"v","host":{"sourcePath":"` + p + `"}}`), want: high})
	}
	for _, p := range []string{"/data", "/mnt/efs", "/var/log/app", "/var/lib/app", "/etcetera", "/running", "/proc2", "/var/lib/ecs2"} {
		cases = append(cases, resultCase{name: "medium " + p, docs: mount(`{"name":"v","host":{"sourcePath":"` + p + `"}}`), want: medium})
	}
	cases = append(cases,
		resultCase{name: "empty host is a scratch volume", docs: mount(`{"name":"v","host":{}}`), want: passed},
		resultCase{name: "docker volume", docs: mount(`{"name":"v","dockerVolumeConfiguration":{"scope":"task","driver":"local"}}`), want: passed},
		resultCase{name: "local driver bind mount", docs: mount(`{"name":"v","dockerVolumeConfiguration":{"scope":"task","driver":"local","driverOpts":{"type":"none","o":"bind","device":"/etc"}}}`), want: high},
		resultCase{name: "EFS volume", docs: mount(`{"name":"v","efsVolumeConfiguration":{"fileSystemId":"fs-1"}}`), want: passed},
		resultCase{name: "host volume declared but not mounted",
			docs: docsOf(`{"family":"f","containerDefinitions":[{"name":"app","image":"x"}],"volumes":[{"name":"v","host":{"sourcePath":"/"}}]}`),
			want: map[string]expected{"app": {status: rule.Passed}}},
		resultCase{name: "sensitive mount after a plain one",
			docs: docsOf(`{"family":"f","containerDefinitions":[{"name":"app","image":"x","mountPoints":[
				{"sourceVolume":"data","containerPath":"/data"},{"sourceVolume":"sock","containerPath":"/var/run/docker.sock","readOnly":true}]}],
				"volumes":[{"name":"data","host":{"sourcePath":"/data"}},{"name":"sock","host":{"sourcePath":"/var/run/docker.sock"}}]}`),
			want: map[string]expected{"app": {status: rule.Failed, severity: rule.High, path: "containerDefinitions/0/mountPoints/1"}}},
	)
	runResultCases(t, HostPathVolume, cases)
}
