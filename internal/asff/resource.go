package asff

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"strconv"
	"strings"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/redact"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// resource describes the finding's one resource: its ARN (built from account and region when the input had
// none), tags and details.
func resource(f *engine.Finding, id identity) types.Resource {
	typ := f.Subject.Type
	if typ == "" && f.Subject.Resource != nil {
		typ = f.Subject.Resource.Kind().ASFFType
	}
	if typ == "" {
		typ = rule.TypeRegistry
	}
	r := types.Resource{
		Type:      str(typ),
		Id:        str(first(id.arn, resourceARN(f.Subject.Resource, id), f.Subject.ID)),
		Partition: types.Partition(id.partition),
		Region:    str(id.region),
	}
	if f.Subject.Resource == nil {
		return r
	}
	r.Tags = tags(f.Subject.Resource.Ident().Tags)
	r.Details = details(f.Subject.Resource, id)
	return r
}

// resourceARN builds the ARN of a resource the input identified only by name.
func resourceARN(res model.Resource, id identity) string {
	prefix := "arn:" + id.partition + ":ecr:" + id.region + ":" + id.account + ":"
	switch r := res.(type) {
	case *model.TaskDefinition:
		name := aws.ToString(r.Def.Family)
		if name == "" {
			return ""
		}
		if r.Def.Revision > 0 {
			name += ":" + strconv.Itoa(int(r.Def.Revision))
		}
		return "arn:" + id.partition + ":ecs:" + id.region + ":" + id.account + ":task-definition/" + name
	case *model.Repository:
		if r.Name() == "" {
			return ""
		}
		return prefix + "repository/" + r.Name()
	case *model.ImageContents:
		return imageContentsARN(r, id)
	case *model.Image:
		repo, digest := aws.ToString(r.Detail.RepositoryName), aws.ToString(r.Detail.ImageDigest)
		if repo == "" || digest == "" {
			return ""
		}
		return model.ImageARN(id.partition, id.region, id.account, repo, digest)
	case *model.Registry:
		return model.RegistryARN(id.partition, id.region, id.account)
	}
	return estateARN(res, id)
}

// tags copies resource tags within the AWS tagging limits Security Hub enforces, in key order so that the kept
// ones are the same on every import.
func tags(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, k := range model.SortedKeys(m) {
		if len(out) == maxTags {
			break
		}
		if k == "" || length(k) > maxTagKey {
			continue // a shortened key would name a different tag
		}
		rk, rv := redact.Pair(k, m[k])
		out[rk] = truncate(rv, maxTagValue)
	}
	return out
}

func details(res model.Resource, id identity) *types.ResourceDetails {
	switch r := res.(type) {
	case *model.TaskDefinition:
		return &types.ResourceDetails{AwsEcsTaskDefinition: taskDetails(&r.Def)}
	case *model.Repository:
		return &types.ResourceDetails{AwsEcrRepository: repoDetails(r, id)}
	case *model.ImageContents:
		return &types.ResourceDetails{AwsEcrContainerImage: imageContentsDetails(r, id)}
	case *model.Image:
		return &types.ResourceDetails{AwsEcrContainerImage: imageDetails(r, id)}
	case *model.Registry:
		if m := registryDetails(r, id); len(m) > 0 {
			return &types.ResourceDetails{Other: m}
		}
		return nil
	}
	return estateDetails(res)
}

// taskDetails copies what the rules judge. It is an allow-list on purpose: environment values, secret references,
// commands, entry points, docker labels, repository credentials, log and FireLens options, health check commands,
// extra hosts, docker volume options and environment files are never copied, and environment variables and secrets
// are sent by name only.
func taskDetails(td *ecstypes.TaskDefinition) *types.AwsEcsTaskDefinitionDetails {
	d := &types.AwsEcsTaskDefinitionDetails{
		Family:           text(aws.ToString(td.Family)),
		Cpu:              str(aws.ToString(td.Cpu)),
		Memory:           str(aws.ToString(td.Memory)),
		NetworkMode:      str(string(td.NetworkMode)),
		PidMode:          str(string(td.PidMode)),
		IpcMode:          str(string(td.IpcMode)),
		TaskRoleArn:      str(aws.ToString(td.TaskRoleArn)),
		ExecutionRoleArn: str(aws.ToString(td.ExecutionRoleArn)),
		Status:           str(string(td.Status)),
	}
	for _, c := range td.RequiresCompatibilities {
		d.RequiresCompatibilities = append(d.RequiresCompatibilities, string(c))
	}
	for i := range td.Volumes {
		d.Volumes = append(d.Volumes, volumeDetails(&td.Volumes[i]))
	}
	for i := range td.ContainerDefinitions {
		d.ContainerDefinitions = append(d.ContainerDefinitions, containerDetails(&td.ContainerDefinitions[i]))
	}
	return d
}

func volumeDetails(v *ecstypes.Volume) types.AwsEcsTaskDefinitionVolumesDetails {
	out := types.AwsEcsTaskDefinitionVolumesDetails{Name: text(aws.ToString(v.Name))}
	if v.Host != nil && aws.ToString(v.Host.SourcePath) != "" {
		out.Host = &types.AwsEcsTaskDefinitionVolumesHostDetails{SourcePath: text(aws.ToString(v.Host.SourcePath))}
	}
	if e := v.EfsVolumeConfiguration; e != nil {
		efs := &types.AwsEcsTaskDefinitionVolumesEfsVolumeConfigurationDetails{
			FilesystemId:          str(aws.ToString(e.FileSystemId)),
			RootDirectory:         text(aws.ToString(e.RootDirectory)),
			TransitEncryption:     str(string(e.TransitEncryption)),
			TransitEncryptionPort: e.TransitEncryptionPort,
		}
		if a := e.AuthorizationConfig; a != nil {
			efs.AuthorizationConfig = &types.AwsEcsTaskDefinitionVolumesEfsVolumeConfigurationAuthorizationConfigDetails{
				AccessPointId: str(aws.ToString(a.AccessPointId)),
				Iam:           str(string(a.Iam)),
			}
		}
		out.EfsVolumeConfiguration = efs
	}
	if dv := v.DockerVolumeConfiguration; dv != nil {
		// Driver options and labels can carry credentials (CIFS, NFS drivers): only the shape is sent.
		out.DockerVolumeConfiguration = &types.AwsEcsTaskDefinitionVolumesDockerVolumeConfigurationDetails{
			Autoprovision: dv.Autoprovision,
			Driver:        text(aws.ToString(dv.Driver)),
			Scope:         str(string(dv.Scope)),
		}
	}
	return out
}

func containerDetails(c *ecstypes.ContainerDefinition) types.AwsEcsTaskDefinitionContainerDefinitionsDetails {
	out := types.AwsEcsTaskDefinitionContainerDefinitionsDetails{
		Name:                   text(aws.ToString(c.Name)),
		Image:                  text(aws.ToString(c.Image)),
		Essential:              c.Essential,
		Privileged:             c.Privileged,
		User:                   text(aws.ToString(c.User)),
		ReadonlyRootFilesystem: c.ReadonlyRootFilesystem,
		DisableNetworking:      c.DisableNetworking,
		Memory:                 c.Memory,
		MemoryReservation:      c.MemoryReservation,
		DockerSecurityOptions:  texts(c.DockerSecurityOptions),
	}
	if c.Cpu > 0 {
		cpu := c.Cpu
		out.Cpu = &cpu
	}
	for _, e := range c.Environment {
		if n := aws.ToString(e.Name); n != "" {
			out.Environment = append(out.Environment, types.AwsEcsTaskDefinitionContainerDefinitionsEnvironmentDetails{Name: text(n)})
		}
	}
	for _, s := range c.Secrets {
		if n := aws.ToString(s.Name); n != "" {
			out.Secrets = append(out.Secrets, types.AwsEcsTaskDefinitionContainerDefinitionsSecretsDetails{Name: text(n)})
		}
	}
	if lp := c.LinuxParameters; lp != nil {
		out.LinuxParameters = linuxDetails(lp)
	}
	if lc := c.LogConfiguration; lc != nil && lc.LogDriver != "" {
		out.LogConfiguration = &types.AwsEcsTaskDefinitionContainerDefinitionsLogConfigurationDetails{LogDriver: str(string(lc.LogDriver))}
	}
	for _, m := range c.MountPoints {
		out.MountPoints = append(out.MountPoints, types.AwsEcsTaskDefinitionContainerDefinitionsMountPointsDetails{
			ContainerPath: text(aws.ToString(m.ContainerPath)),
			ReadOnly:      m.ReadOnly,
			SourceVolume:  text(aws.ToString(m.SourceVolume)),
		})
	}
	for _, p := range c.PortMappings {
		out.PortMappings = append(out.PortMappings, types.AwsEcsTaskDefinitionContainerDefinitionsPortMappingsDetails{
			ContainerPort: p.ContainerPort,
			HostPort:      p.HostPort,
			Protocol:      str(string(p.Protocol)),
		})
	}
	for _, s := range c.SystemControls {
		out.SystemControls = append(out.SystemControls, types.AwsEcsTaskDefinitionContainerDefinitionsSystemControlsDetails{
			Namespace: text(aws.ToString(s.Namespace)),
			Value:     text(aws.ToString(s.Value)),
		})
	}
	for _, v := range c.VolumesFrom {
		out.VolumesFrom = append(out.VolumesFrom, types.AwsEcsTaskDefinitionContainerDefinitionsVolumesFromDetails{
			ReadOnly:        v.ReadOnly,
			SourceContainer: text(aws.ToString(v.SourceContainer)),
		})
	}
	return out
}

func linuxDetails(lp *ecstypes.LinuxParameters) *types.AwsEcsTaskDefinitionContainerDefinitionsLinuxParametersDetails {
	out := &types.AwsEcsTaskDefinitionContainerDefinitionsLinuxParametersDetails{
		InitProcessEnabled: lp.InitProcessEnabled,
		MaxSwap:            lp.MaxSwap,
		Swappiness:         lp.Swappiness,
		SharedMemorySize:   lp.SharedMemorySize,
	}
	if cp := lp.Capabilities; cp != nil {
		out.Capabilities = &types.AwsEcsTaskDefinitionContainerDefinitionsLinuxParametersCapabilitiesDetails{
			Add:  texts(cp.Add),
			Drop: texts(cp.Drop),
		}
	}
	for _, d := range lp.Devices {
		dev := types.AwsEcsTaskDefinitionContainerDefinitionsLinuxParametersDevicesDetails{
			ContainerPath: text(aws.ToString(d.ContainerPath)),
			HostPath:      text(aws.ToString(d.HostPath)),
		}
		for _, p := range d.Permissions {
			dev.Permissions = append(dev.Permissions, string(p))
		}
		out.Devices = append(out.Devices, dev)
	}
	return out
}

func repoDetails(r *model.Repository, id identity) *types.AwsEcrRepositoryDetails {
	d := &types.AwsEcrRepositoryDetails{
		Arn:                str(first(r.ARN, resourceARN(r, id))),
		RepositoryName:     text(r.Name()),
		ImageTagMutability: str(string(r.Repo.ImageTagMutability)),
	}
	if sc := r.Repo.ImageScanningConfiguration; sc != nil {
		on := sc.ScanOnPush
		d.ImageScanningConfiguration = &types.AwsEcrRepositoryImageScanningConfigurationDetails{ScanOnPush: &on}
	}
	// Policy texts are not secret and are what repo.public-policy and repo.no-lifecycle-policy judge. ECR bounds
	// them (10,240 and 30,720 characters); Build drops them if the finding would still be too large.
	if r.LifecycleKnown && r.LifecyclePolicy != "" {
		d.LifecyclePolicy = &types.AwsEcrRepositoryLifecyclePolicyDetails{
			LifecyclePolicyText: text(r.LifecyclePolicy),
			RegistryId:          str(first(aws.ToString(r.Repo.RegistryId), r.Account)),
		}
	}
	if r.PolicyKnown {
		d.RepositoryPolicyText = text(r.Policy)
	}
	return d
}

func imageDetails(img *model.Image, id identity) *types.AwsEcrContainerImageDetails {
	d := &types.AwsEcrContainerImageDetails{
		RegistryId:     str(first(aws.ToString(img.Detail.RegistryId), img.Account, id.account)),
		RepositoryName: text(aws.ToString(img.Detail.RepositoryName)),
		ImageDigest:    str(aws.ToString(img.Detail.ImageDigest)),
		ImageTags:      texts(img.Detail.ImageTags),
	}
	if t := img.PushedAt(); !t.IsZero() {
		d.ImagePublishedAt = str(timestamp(t))
	}
	return d
}

// registryDetails describes a registry, which has no ASFF details type of its own, in the Other map.
func registryDetails(g *model.Registry, id identity) map[string]string {
	m := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			m[k] = truncate(redact.Field(v), maxOtherValue)
		}
	}
	set("RegistryId", first(g.RegistryID, g.Account, id.account))
	set("ScanType", string(g.Scanning.ScanType))
	if n := len(g.Scanning.Rules); n > 0 {
		freqs := make([]string, 0, n)
		for _, r := range g.Scanning.Rules {
			freqs = append(freqs, string(r.ScanFrequency))
		}
		set("ScanningRules", strings.Join(freqs, ", "))
	}
	return m
}

func nonEmpty(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// text is str for free text copied from the resource: a credential in it is replaced by a marker.
func text(s string) *string {
	return str(redact.Field(s))
}

// texts is nonEmpty for free text copied from the resource.
func texts(xs []string) []string {
	out := nonEmpty(xs)
	for i, x := range out {
		out[i] = redact.Field(x)
	}
	return out
}
