package taskdef

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// HostPathVolume fails a container that mounts a directory or file of the host. The result is HIGH when the
// host path is the root, a system directory, the container runtime's state or a runtime socket, MEDIUM otherwise.
var HostPathVolume = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.host-path-volume",
		Title: "Container mounts a host path",
		Description: "A bind mount gives the container the instance's own files: through the runtime socket, /proc, " +
			"/etc or the agent's state it can take over the instance and every task on it, and any host path " +
			"couples the task to one instance's disk.",
		Remediation: "Replace the volume's \"host\": {\"sourcePath\": ...} with a task-scoped volume (an empty " +
			"\"host\": {} or a Docker volume), or with EFS for shared data. If a host path is unavoidable, mount the " +
			"narrowest directory that works and set \"readOnly\": true on the mount point.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html",
		Severity:       rule.Medium,
		Profile:        rule.Baseline,
		Level:          rule.ContainerLevel,
		Related:        []string{"PSS baseline: HostPath Volumes"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html",
			"https://kubernetes.io/docs/concepts/security/pod-security-standards/",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		return perContainer(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			return checkHostPaths(env, t, i, c)
		})
	},
})

func checkHostPaths(env *rule.Env, t *model.TaskDefinition, i int, c *ecstypes.ContainerDefinition) rule.Result {
	name := t.ContainerName(i)
	var mounts []string
	sev, at := rule.Medium, -1
	for j, mp := range c.MountPoints {
		vol := aws.ToString(mp.SourceVolume)
		src, ok := hostSource(t.Volume(vol))
		if !ok {
			continue
		}
		m := fmt.Sprintf("volume %q (host path %s) at %s", vol, src, aws.ToString(mp.ContainerPath))
		if mp.ReadOnly != nil && *mp.ReadOnly {
			m += " read-only"
		}
		if sensitiveHostPath(src) {
			m += " [sensitive host path]"
			if sev != rule.High {
				sev, at = rule.High, j
			}
		}
		if at < 0 {
			at = j
		}
		mounts = append(mounts, m)
	}
	if len(mounts) == 0 {
		return pass(fmt.Sprintf("container %q mounts no host path", name))
	}
	r := fail(fmt.Sprintf("container %q mounts %s host path(s): %s", name, strconv.Itoa(len(mounts)), strings.Join(mounts, "; ")),
		containerPath(i, "mountPoints", strconv.Itoa(at)))
	r.Severity = sev
	return r
}

// hostSource returns the host path a volume binds. An empty "host": {} is a Docker-managed scratch volume, not a
// host path. A "local" Docker volume with o=bind and a device is a bind mount written another way, and counts.
func hostSource(v *ecstypes.Volume) (string, bool) {
	if v == nil {
		return "", false
	}
	if v.Host != nil {
		if p := strings.TrimSpace(aws.ToString(v.Host.SourcePath)); p != "" {
			return p, true
		}
	}
	if dv := v.DockerVolumeConfiguration; dv != nil && (aws.ToString(dv.Driver) == "" || aws.ToString(dv.Driver) == "local") {
		dev := strings.TrimSpace(dv.DriverOpts["device"])
		for _, o := range strings.Split(dv.DriverOpts["o"], ",") {
			if strings.TrimSpace(o) == "bind" && dev != "" {
				return dev, true
			}
		}
	}
	return "", false
}

// sensitiveHostPaths are host directories whose mount hands over the host: "/" itself (everything lies under it,
// so only the root proper counts) and the others with everything below them.
var sensitiveHostPaths = []string{"/proc", "/sys", "/dev", "/etc", "/root", "/boot", "/var/run", "/run",
	"/var/lib/docker", "/var/lib/ecs"}

// runtimeSockets are the control sockets (and the Windows named pipe) of container runtimes, wherever they live.
var runtimeSockets = []string{"docker.sock", "containerd.sock", "crio.sock", "podman.sock", "docker_engine"}

func sensitiveHostPath(p string) bool {
	win := strings.ReplaceAll(strings.ToLower(p), `\`, "/")
	if base := path.Base(win); slices.Contains(runtimeSockets, base) {
		return true
	}
	clean := path.Clean(p)
	if clean == "/" {
		return true
	}
	for _, s := range sensitiveHostPaths {
		if clean == s || strings.HasPrefix(clean, s+"/") {
			return true
		}
	}
	return false
}
