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

func validateTask(td *ecstypes.TaskDefinition) error {
	if err := check(td.NetworkMode, ecstypes.NetworkMode("").Values(), name("networkMode")); err != nil {
		return err
	}
	if err := check(td.PidMode, ecstypes.PidMode("").Values(), name("pidMode")); err != nil {
		return err
	}
	if err := check(td.IpcMode, ecstypes.IpcMode("").Values(), name("ipcMode")); err != nil {
		return err
	}
	if err := check(td.Status, ecstypes.TaskDefinitionStatus("").Values(), name("status")); err != nil {
		return err
	}
	for i, c := range td.RequiresCompatibilities {
		if err := check(c, ecstypes.Compatibility("").Values(), indexed("requiresCompatibilities", i, "")); err != nil {
			return err
		}
	}
	if rp := td.RuntimePlatform; rp != nil {
		if err := check(rp.OperatingSystemFamily, ecstypes.OSFamily("").Values(), name("runtimePlatform.operatingSystemFamily")); err != nil {
			return err
		}
		if err := check(rp.CpuArchitecture, ecstypes.CPUArchitecture("").Values(), name("runtimePlatform.cpuArchitecture")); err != nil {
			return err
		}
	}
	for i, v := range td.Volumes {
		if efs := v.EfsVolumeConfiguration; efs != nil {
			if err := check(efs.TransitEncryption, ecstypes.EFSTransitEncryption("").Values(),
				indexed("volumes", i, ".efsVolumeConfiguration.transitEncryption")); err != nil {
				return err
			}
		}
	}
	for i, c := range td.ContainerDefinitions {
		if c.LogConfiguration != nil {
			if err := check(c.LogConfiguration.LogDriver, ecstypes.LogDriver("").Values(),
				indexed("containerDefinitions", i, ".logConfiguration.logDriver")); err != nil {
				return err
			}
		}
		for j, p := range c.PortMappings {
			if err := check(p.Protocol, ecstypes.TransportProtocol("").Values(), func() string {
				return "containerDefinitions[" + strconv.Itoa(i) + "].portMappings[" + strconv.Itoa(j) + "].protocol"
			}); err != nil {
				return err
			}
		}
	}
	return nil
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
