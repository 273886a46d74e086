// Package model holds the audited resources: the AWS SDK's own data types, wrapped with identity
// (ARN, account, region, tags) and with what was or was not learned about them.
package model

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Ref is the identity and origin shared by every resource.
type Ref struct {
	// ARN is empty when the input carried none and no account and region were given to build one.
	ARN       string
	Partition string
	Account   string
	Region    string
	Tags      map[string]string
	// Source names where the resource came from: a file path, or an AWS API for live data.
	Source string
	// SourcePath is the path of the resource's JSON object inside Source ("taskDefinition", "repositories/2").
	SourcePath string
	// Scope is the file a resource was read from (slash-separated, as given on the command line); empty for a
	// resource read from AWS. A finding's identity includes it, so the same family in two files is two resources.
	Scope string
	// Label is how infrastructure code names the resource (a template's logical ID, a plan's resource address);
	// ID prefers it to a stand-in when there is no ARN. Line is the resource's 1-based line in Source, 0 when the
	// resource is located by SourcePath alone.
	Label string
	Line  int
	// LineOf, when set, finds the line of a field of the resource (a rule result's Path) in Source, 0 when it cannot:
	// for sources not located by JSON path (a YAML template).
	LineOf func(path string) int `json:"-"`
	// TagsChangedBy names who last changed the resource's tags, when an event said so (a CloudTrail identity ARN).
	TagsChangedBy string
}

// Resource is anything the engine evaluates.
type Resource interface {
	// Ident returns the resource's identity.
	Ident() *Ref
	// Kind is the resource's kind.
	Kind() *Kind
	// ID is the ARN when known, otherwise a readable stand-in (family:revision, repository name, repo@digest).
	ID() string
}

// TaskDefinition is one task definition revision.
type TaskDefinition struct {
	Ref
	Def ecstypes.TaskDefinition
	// Images holds what is known of the ECR images the containers reference, keyed by image reference as written.
	// A reference absent from the map was not looked up; an entry with Err set could not be read.
	Images map[string]ImageLookup
	// ImageUsers holds the USER of image configs given beside the task definition, keyed by image reference as
	// written in a container: what a container that sets no user runs as.
	ImageUsers map[string]ImageUser
	// TagsKnown says whether Tags reflects the revision's tags (describe-task-definition --include TAGS,
	// register-task-definition input with tags, or the live describe); absent tags then mean none.
	TagsKnown bool
	// Running is what runs the revision (services, task sets, whether any is reachable from the internet); nil
	// when the running context was not read.
	Running *Running
}

// ImageLookup is the outcome of resolving one container image reference to an ECR image.
type ImageLookup struct {
	Image *Image
	// Err says why the image could not be read; such images make image-dependent rules NOT_AVAILABLE.
	Err string
}

// Ident implements Resource.
func (t *TaskDefinition) Ident() *Ref { return &t.Ref }

// Kind implements Resource.
func (t *TaskDefinition) Kind() *Kind { return KindTaskDefinition }

// ID implements Resource.
func (t *TaskDefinition) ID() string {
	if t.ARN != "" {
		return t.ARN
	}
	if t.Label != "" {
		return t.Label
	}
	fam := aws.ToString(t.Def.Family)
	if t.Def.Revision > 0 {
		return fam + ":" + strconv.Itoa(int(t.Def.Revision))
	}
	return fam
}

// FargateOnly reports whether the task can run only on Fargate.
func (t *TaskDefinition) FargateOnly() bool {
	rc := t.Def.RequiresCompatibilities
	if len(rc) == 0 {
		return false
	}
	for _, c := range rc {
		if c != ecstypes.CompatibilityFargate {
			return false
		}
	}
	return true
}

// ContainerName returns the name of container i, or "#i" when it has none.
func (t *TaskDefinition) ContainerName(i int) string {
	if n := aws.ToString(t.Def.ContainerDefinitions[i].Name); n != "" {
		return n
	}
	return "#" + strconv.Itoa(i)
}

// Volume returns the task volume with the given name, or nil.
func (t *TaskDefinition) Volume(name string) *ecstypes.Volume {
	for i := range t.Def.Volumes {
		if aws.ToString(t.Def.Volumes[i].Name) == name {
			return &t.Def.Volumes[i]
		}
	}
	return nil
}

// Repository is one ECR repository with what is known of its policies and registry.
type Repository struct {
	Ref
	Repo ecrtypes.Repository
	// Described is false when only a policy or lifecycle policy of the repository was given, not its description.
	Described bool
	// LifecyclePolicy is the lifecycle policy text; LifecycleKnown says whether absence means "none".
	LifecyclePolicy string
	LifecycleKnown  bool
	// Policy is the repository policy text; PolicyKnown says whether absence means "none".
	Policy      string
	PolicyKnown bool
	// Registry is the scanning configuration of the repository's registry, nil when unknown.
	Registry *ecrtypes.RegistryScanningConfiguration
	// KeyManager is what kms:DescribeKey said of the repository's key ("AWS" or "CUSTOMER"); empty when not asked.
	KeyManager string
	// TagsKnown says whether Tags reflects the repository's tags (absent tags then mean none).
	TagsKnown bool
}

// Ident implements Resource.
func (r *Repository) Ident() *Ref { return &r.Ref }

// Kind implements Resource.
func (r *Repository) Kind() *Kind { return KindRepository }

// ID implements Resource.
func (r *Repository) ID() string {
	if r.ARN != "" {
		return r.ARN
	}
	if r.Label != "" {
		return r.Label
	}
	return aws.ToString(r.Repo.RepositoryName)
}

// Name returns the repository name.
func (r *Repository) Name() string { return aws.ToString(r.Repo.RepositoryName) }

// Registry is the private registry of one account in one region.
type Registry struct {
	Ref
	RegistryID string
	Scanning   ecrtypes.RegistryScanningConfiguration
}

// Ident implements Resource.
func (r *Registry) Ident() *Ref { return &r.Ref }

// Kind implements Resource.
func (r *Registry) Kind() *Kind { return KindRegistry }

// ID implements Resource: an ARN-like identifier, since ECR registries have no ARN of their own.
func (r *Registry) ID() string {
	if r.ARN != "" {
		return r.ARN
	}
	if r.Label != "" {
		return r.Label
	}
	return "ecr-registry/" + r.RegistryID
}

// RegistryARN builds the identifier used for a registry: arn:<partition>:ecr:<region>:<account>:registry.
func RegistryARN(partition, region, account string) string {
	if partition == "" {
		partition = "aws"
	}
	return fmt.Sprintf("arn:%s:ecr:%s:%s:registry", partition, region, account)
}

// Image is one image digest in a repository, with its latest scan.
type Image struct {
	Ref
	Detail ecrtypes.ImageDetail
	// Findings are the top scan findings (CVE IDs with severity), highest first, when known.
	Findings []ScanFinding
}

// ScanFinding is one vulnerability from a scan.
type ScanFinding struct {
	Name     string
	Severity string
}

// Ident implements Resource.
func (i *Image) Ident() *Ref { return &i.Ref }

// Kind implements Resource.
func (i *Image) Kind() *Kind { return KindImage }

// ID implements Resource.
func (i *Image) ID() string {
	if i.ARN != "" {
		return i.ARN
	}
	return aws.ToString(i.Detail.RepositoryName) + "@" + aws.ToString(i.Detail.ImageDigest)
}

// PushedAt returns when the image was pushed, or the zero time.
func (i *Image) PushedAt() time.Time {
	if i.Detail.ImagePushedAt == nil {
		return time.Time{}
	}
	return *i.Detail.ImagePushedAt
}

// ImageARN builds the ARN Security Hub uses for an ECR image: the repository ARN, a slash and the digest.
func ImageARN(partition, region, account, repo, digest string) string {
	if partition == "" {
		partition = "aws"
	}
	return fmt.Sprintf("arn:%s:ecr:%s:%s:repository/%s/%s", partition, region, account, repo, digest)
}

// TagsFromECS converts ECS tags to a map.
func TagsFromECS(tags []ecstypes.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// TagsFromECR converts ECR tags to a map.
func TagsFromECR(tags []ecrtypes.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// SortedKeys returns a map's keys in order.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
