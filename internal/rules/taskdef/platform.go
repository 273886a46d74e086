package taskdef

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// osFamily is what the rules know of a task's operating system and why.
type osFamily struct {
	windows bool
	// why says what decided it, for the detail of a NOT_APPLICABLE result: the declared runtimePlatform, or the
	// image or path that makes a task without one plainly Windows. Empty for a Linux task decided by default.
	why string
}

// taskOS is the one place the rules decide whether a task runs Windows or Linux. A declared
// runtimePlatform.operatingSystemFamily decides (WINDOWS_SERVER_* is Windows, anything else Linux). Without one, ECS
// runs the task as Linux unless it is plainly Windows: a container image from mcr.microsoft.com/windows*, a
// dotnet/framework image, or a servercore or nanoserver image; or a drive-letter path (C:\) or named pipe
// (\\.\pipe\...) as a container's working directory, a mount point's container path or a volume's host source
// path. A credentialSpecs entry alone does not make a task Windows: ECS also supports gMSA for Linux containers.
func taskOS(t *model.TaskDefinition) osFamily {
	if p := t.Def.RuntimePlatform; p != nil && p.OperatingSystemFamily != "" {
		fam := string(p.OperatingSystemFamily)
		return osFamily{windows: strings.HasPrefix(fam, "WINDOWS_SERVER"), why: "runtimePlatform.operatingSystemFamily is " + fam}
	}
	for i, c := range t.Def.ContainerDefinitions {
		name := t.ContainerName(i)
		if img := aws.ToString(c.Image); windowsImage(img) {
			return inferredWindows(fmt.Sprintf("container %q runs the Windows image %q", name, img))
		}
		if wd := aws.ToString(c.WorkingDirectory); windowsPath(wd) {
			return inferredWindows(fmt.Sprintf("container %q has the Windows working directory %q", name, wd))
		}
		for _, m := range c.MountPoints {
			if p := aws.ToString(m.ContainerPath); windowsPath(p) {
				return inferredWindows(fmt.Sprintf("container %q mounts at the Windows path %q", name, p))
			}
		}
	}
	for _, v := range t.Def.Volumes {
		if v.Host == nil {
			continue
		}
		if p := aws.ToString(v.Host.SourcePath); windowsPath(p) {
			return inferredWindows(fmt.Sprintf("volume %q has the Windows host path %q", aws.ToString(v.Name), p))
		}
	}
	return osFamily{}
}

func inferredWindows(why string) osFamily {
	return osFamily{windows: true, why: "no runtimePlatform, and " + why}
}

// windowsImage reports whether an image reference names a Windows base image: Microsoft's Windows repositories,
// .NET Framework (Windows only), or a servercore or nanoserver repository or tag (the official images'
// "windowsservercore-ltsc2022" and "nanoserver-1809" tags included).
func windowsImage(ref string) bool {
	ref = strings.ToLower(ref)
	if at := strings.IndexByte(ref, '@'); at >= 0 {
		ref = ref[:at]
	}
	return strings.HasPrefix(ref, "mcr.microsoft.com/windows") ||
		strings.Contains(ref, "dotnet/framework") ||
		strings.Contains(ref, "servercore") ||
		strings.Contains(ref, "nanoserver")
}

// windowsPath reports whether p is a drive-letter path (C:\data, d:/logs) or a UNC path or named pipe
// (\\.\pipe\docker_engine), which no Linux path is.
func windowsPath(p string) bool {
	p = strings.TrimSpace(p)
	if strings.HasPrefix(p, `\\`) {
		return true
	}
	if len(p) < 3 || p[1] != ':' || (p[2] != '\\' && p[2] != '/') {
		return false
	}
	c := p[0] | 0x20
	return c >= 'a' && c <= 'z'
}
