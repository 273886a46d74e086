package load

import (
	"fmt"
	"slices"
	"strconv"

	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// check reports a value outside the SDK's list of known values. An empty value is absent, not unknown. field names
// the value; it is called only for the error.
func check[E ~string](v E, known []E, field func() string) error {
	if v == "" || slices.Contains(known, v) {
		return nil
	}
	return fmt.Errorf("%s: unknown value %q (want one of %v)", field(), string(v), known)
}

// name returns a constant field name as check wants it.
func name(s string) func() string { return func() string { return s } }

// indexed names element i of a list field, then the path below it.
func indexed(list string, i int, rest string) func() string {
	return func() string { return list + "[" + strconv.Itoa(i) + "]" + rest }
}

// unknown reports a value outside the SDK's list of known values as a problem at path; an empty value is absent.
func unknown[E ~string](out []fieldProblem, v E, known []E, path ...string) []fieldProblem {
	if v == "" || slices.Contains(known, v) {
		return out
	}
	return append(out, fieldProblem{path: path, msg: fmt.Sprintf("unknown value %q (want one of %v)", string(v), known)})
}

// validateTask lists every enumerated field of td whose value the API model does not know, each at its path.
func validateTask(td *ecstypes.TaskDefinition) []fieldProblem {
	var out []fieldProblem
	out = unknown(out, td.NetworkMode, ecstypes.NetworkMode("").Values(), "networkMode")
	out = unknown(out, td.PidMode, ecstypes.PidMode("").Values(), "pidMode")
	out = unknown(out, td.IpcMode, ecstypes.IpcMode("").Values(), "ipcMode")
	out = unknown(out, td.Status, ecstypes.TaskDefinitionStatus("").Values(), "status")
	for i, c := range td.RequiresCompatibilities {
		out = unknown(out, c, ecstypes.Compatibility("").Values(), "requiresCompatibilities", strconv.Itoa(i))
	}
	if rp := td.RuntimePlatform; rp != nil {
		out = unknown(out, rp.OperatingSystemFamily, ecstypes.OSFamily("").Values(), "runtimePlatform", "operatingSystemFamily")
		out = unknown(out, rp.CpuArchitecture, ecstypes.CPUArchitecture("").Values(), "runtimePlatform", "cpuArchitecture")
	}
	for i, v := range td.Volumes {
		if efs := v.EfsVolumeConfiguration; efs != nil {
			out = unknown(out, efs.TransitEncryption, ecstypes.EFSTransitEncryption("").Values(),
				"volumes", strconv.Itoa(i), "efsVolumeConfiguration", "transitEncryption")
		}
	}
	for i, c := range td.ContainerDefinitions {
		ci := strconv.Itoa(i)
		if c.LogConfiguration != nil {
			out = unknown(out, c.LogConfiguration.LogDriver, ecstypes.LogDriver("").Values(),
				"containerDefinitions", ci, "logConfiguration", "logDriver")
		}
		for j, p := range c.PortMappings {
			out = unknown(out, p.Protocol, ecstypes.TransportProtocol("").Values(),
				"containerDefinitions", ci, "portMappings", strconv.Itoa(j), "protocol")
		}
	}
	return out
}

func validateRepo(r *ecrtypes.Repository) error {
	if err := check(r.ImageTagMutability, ecrtypes.ImageTagMutability("").Values(), name("imageTagMutability")); err != nil {
		return err
	}
	if r.EncryptionConfiguration != nil {
		if err := check(r.EncryptionConfiguration.EncryptionType, ecrtypes.EncryptionType("").Values(),
			name("encryptionConfiguration.encryptionType")); err != nil {
			return err
		}
	}
	for i, f := range r.ImageTagMutabilityExclusionFilters {
		if err := check(f.FilterType, ecrtypes.ImageTagMutabilityExclusionFilterType("").Values(),
			indexed("imageTagMutabilityExclusionFilters", i, ".filterType")); err != nil {
			return err
		}
	}
	return nil
}

func validateImage(d *ecrtypes.ImageDetail) error {
	if d.ImageScanStatus != nil {
		return check(d.ImageScanStatus.Status, ecrtypes.ScanStatus("").Values(), name("imageScanStatus.status"))
	}
	return nil
}

func validateRegistry(sc *ecrtypes.RegistryScanningConfiguration) error {
	if err := check(sc.ScanType, ecrtypes.ScanType("").Values(), name("scanType")); err != nil {
		return err
	}
	for i, r := range sc.Rules {
		if err := check(r.ScanFrequency, ecrtypes.ScanFrequency("").Values(), indexed("rules", i, ".scanFrequency")); err != nil {
			return err
		}
		for j, f := range r.RepositoryFilters {
			if err := check(f.FilterType, ecrtypes.ScanningRepositoryFilterType("").Values(), func() string {
				return "rules[" + strconv.Itoa(i) + "].repositoryFilters[" + strconv.Itoa(j) + "].filterType"
			}); err != nil {
				return err
			}
		}
	}
	return nil
}
