package load

import (
	"fmt"
	"slices"

	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// check reports a value outside the SDK's list of known values. An empty value is absent, not unknown.
func check[E ~string](field string, v E, known []E) error {
	if v == "" || slices.Contains(known, v) {
		return nil
	}
	return fmt.Errorf("%s: unknown value %q (want one of %v)", field, string(v), known)
}

func validateTask(td *ecstypes.TaskDefinition) error {
	errs := []error{
		check("networkMode", td.NetworkMode, ecstypes.NetworkMode("").Values()),
		check("pidMode", td.PidMode, ecstypes.PidMode("").Values()),
		check("ipcMode", td.IpcMode, ecstypes.IpcMode("").Values()),
		check("status", td.Status, ecstypes.TaskDefinitionStatus("").Values()),
	}
	for i, c := range td.RequiresCompatibilities {
		errs = append(errs, check(fmt.Sprintf("requiresCompatibilities[%d]", i), c, ecstypes.Compatibility("").Values()))
	}
	if rp := td.RuntimePlatform; rp != nil {
		errs = append(errs,
			check("runtimePlatform.operatingSystemFamily", rp.OperatingSystemFamily, ecstypes.OSFamily("").Values()),
			check("runtimePlatform.cpuArchitecture", rp.CpuArchitecture, ecstypes.CPUArchitecture("").Values()))
	}
	for i, v := range td.Volumes {
		if v.EfsVolumeConfiguration != nil {
			errs = append(errs, check(fmt.Sprintf("volumes[%d].efsVolumeConfiguration.transitEncryption", i),
				v.EfsVolumeConfiguration.TransitEncryption, ecstypes.EFSTransitEncryption("").Values()))
		}
	}
	for i, c := range td.ContainerDefinitions {
		at := fmt.Sprintf("containerDefinitions[%d]", i)
		if c.LogConfiguration != nil {
			errs = append(errs, check(at+".logConfiguration.logDriver", c.LogConfiguration.LogDriver, ecstypes.LogDriver("").Values()))
		}
		for j, p := range c.PortMappings {
			errs = append(errs, check(fmt.Sprintf("%s.portMappings[%d].protocol", at, j), p.Protocol, ecstypes.TransportProtocol("").Values()))
		}
	}
	return first(errs)
}

func validateRepo(r *ecrtypes.Repository) error {
	errs := []error{check("imageTagMutability", r.ImageTagMutability, ecrtypes.ImageTagMutability("").Values())}
	if r.EncryptionConfiguration != nil {
		errs = append(errs, check("encryptionConfiguration.encryptionType", r.EncryptionConfiguration.EncryptionType, ecrtypes.EncryptionType("").Values()))
	}
	for i, f := range r.ImageTagMutabilityExclusionFilters {
		errs = append(errs, check(fmt.Sprintf("imageTagMutabilityExclusionFilters[%d].filterType", i), f.FilterType, ecrtypes.ImageTagMutabilityExclusionFilterType("").Values()))
	}
	return first(errs)
}

func validateImage(d *ecrtypes.ImageDetail) error {
	if d.ImageScanStatus != nil {
		return check("imageScanStatus.status", d.ImageScanStatus.Status, ecrtypes.ScanStatus("").Values())
	}
	return nil
}

func validateRegistry(sc *ecrtypes.RegistryScanningConfiguration) error {
	errs := []error{check("scanType", sc.ScanType, ecrtypes.ScanType("").Values())}
	for i, r := range sc.Rules {
		errs = append(errs, check(fmt.Sprintf("rules[%d].scanFrequency", i), r.ScanFrequency, ecrtypes.ScanFrequency("").Values()))
		for j, f := range r.RepositoryFilters {
			errs = append(errs, check(fmt.Sprintf("rules[%d].repositoryFilters[%d].filterType", i, j), f.FilterType, ecrtypes.ScanningRepositoryFilterType("").Values()))
		}
	}
	return first(errs)
}

func first(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
