package load

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// Origin says where a resource read from infrastructure code (a template, a plan) sits in its file.
type Origin struct {
	// Source is the file; Path the resource's JSON path inside it (SourcePath); Line its 1-based line.
	Source, Path string
	Line         int
	// Name is how the file names the resource: a template's logical ID, a plan's resource address.
	Name string
}

// The JSON the readers of infrastructure code hand over was written by them, not by the user: a position in it
// means nothing to anyone, the field path that follows it does.
var synthesizedPosition = regexp.MustCompile(`line \d+, column \d+: `)

func synthesized(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(synthesizedPosition.ReplaceAllString(err.Error(), ""))
}

// DecodeTaskInput decodes a task definition written as register-task-definition input (raw, as a reader of
// infrastructure code rewrote it) into a resource at origin o, without adding it to the set.
func (s *Set) DecodeTaskInput(o Origin, raw []byte) (*model.TaskDefinition, error) {
	d := &doc{set: s, source: o.Source, data: raw}
	td, err := d.decodeTask(raw, 0)
	if err != nil {
		return nil, synthesized(err)
	}
	if len(td.bad) > 0 {
		// A template or plan is refused by CloudFormation or Terraform for the first of these, as the API would.
		return nil, synthesized(td.bad[0])
	}
	t := &model.TaskDefinition{Def: td.TaskDefinition}
	t.Source, t.SourcePath, t.Line, t.Label = o.Source, o.Path, o.Line, o.Name
	// A template or plan declares the resource whole: tags it does not give, it does not set (a stack's own tags,
	// which CloudFormation propagates, are not in the template and not counted).
	t.Tags, t.TagsKnown = map[string]string(td.tags), true
	s.identify(&t.Ref, aws.ToString(td.TaskDefinitionArn))
	if aws.ToString(t.Def.Family) == "" {
		// CloudFormation names an unnamed family after its stack and logical ID; the logical ID stands for it.
		fam := o.Name
		t.Def.Family = &fam
	}
	return t, nil
}

// DecodeRepositoryInput decodes an ECR repository written as create-repository input (raw) with its policy,
// lifecycle policy and tags when the file gives them (nil: the file says nothing, so they are not known).
func (s *Set) DecodeRepositoryInput(o Origin, raw []byte, policy, lifecycle *string, tags map[string]string) (*model.Repository, error) {
	var rj repoJSON
	d := &doc{set: s, source: o.Source, data: raw}
	if err := d.decode(raw, 0, &rj); err != nil {
		return nil, synthesized(err)
	}
	if err := validateRepo(&rj.Repository); err != nil {
		return nil, err
	}
	r := &model.Repository{Repo: rj.Repository, Described: true}
	r.Source, r.SourcePath, r.Line, r.Label = o.Source, o.Path, o.Line, o.Name
	if aws.ToString(r.Repo.RepositoryName) == "" {
		// CloudFormation names an unnamed repository after its stack and logical ID; the logical ID stands for it.
		name := o.Name
		r.Repo.RepositoryName = &name
	}
	s.identify(&r.Ref, aws.ToString(r.Repo.RepositoryArn))
	if policy != nil {
		r.Policy, r.PolicyKnown = *policy, true
	}
	if lifecycle != nil {
		r.LifecyclePolicy, r.LifecycleKnown = *lifecycle, true
	}
	if tags != nil {
		r.Tags, r.TagsKnown = tags, true
	}
	return r, nil
}

// DecodeRegistryInput decodes a registry scanning configuration written as put-registry-scanning-configuration
// input (raw).
func (s *Set) DecodeRegistryInput(o Origin, raw []byte) (*model.Registry, error) {
	var sc ecrtypes.RegistryScanningConfiguration
	d := &doc{set: s, source: o.Source, data: raw}
	if err := d.decode(raw, 0, &sc); err != nil {
		return nil, synthesized(err)
	}
	if err := validateRegistry(&sc); err != nil {
		return nil, err
	}
	if sc.ScanType == "" {
		return nil, errors.New("scanning configuration has no ScanType")
	}
	g := &model.Registry{Scanning: sc}
	g.Source, g.SourcePath, g.Line, g.Label = o.Source, o.Path, o.Line, o.Name
	s.identify(&g.Ref, "")
	g.RegistryID = g.Account
	if g.Account != "" && g.Region != "" {
		g.ARN = model.RegistryARN(g.Partition, g.Region, g.Account)
	}
	return g, nil
}

// Append adds resources decoded by the Decode functions to the set, in order.
func (s *Set) Append(rs ...model.Resource) {
	for _, r := range rs {
		switch v := r.(type) {
		case *model.TaskDefinition:
			s.Tasks = append(s.Tasks, v)
		case *model.Repository:
			s.Repos = append(s.Repos, v)
		case *model.Registry:
			s.Registries = append(s.Registries, v)
		case *model.Image:
			s.Images = append(s.Images, v)
		default:
			s.Described = append(s.Described, r) // the kinds read generically (services, clusters, ...)
		}
	}
}

// DecodeKindInput decodes a resource of kind k (a service, task set, cluster or capacity provider) written in its
// API's shape (raw, as a reader of infrastructure code rewrote it) into a resource at origin o, without adding it to
// the set. The file declares the resource whole: its tags and settings are what the file gives, and a resource the
// file does not name is named by its logical ID or address.
func (s *Set) DecodeKindInput(k *model.Kind, o Origin, raw []byte) (model.Resource, error) {
	if k.FromCLI == nil {
		return nil, fmt.Errorf("a %s is not read from files", k.Name)
	}
	d := &doc{set: s, source: o.Source, data: raw}
	r, err := k.FromCLI(func(v any) error { return d.decode(raw, 0, v) })
	if err != nil {
		return nil, synthesized(err)
	}
	name := aws.String(o.Name)
	switch x := r.(type) {
	case *model.Service:
		if aws.ToString(x.Svc.ServiceName) == "" {
			x.Svc.ServiceName = name
		}
		x.TagsKnown = true
	case *model.Cluster:
		if aws.ToString(x.Cluster.ClusterName) == "" {
			x.Cluster.ClusterName = name
		}
		x.TagsKnown, x.SettingsKnown = true, true
	case *model.CapacityProvider:
		if aws.ToString(x.Provider.Name) == "" {
			x.Provider.Name = name
		}
	case *model.TaskSet:
		if aws.ToString(x.Set.Id) == "" {
			x.Set.Id = name
		}
	}
	ref := r.Ident()
	ref.Source, ref.SourcePath, ref.Line, ref.Label = o.Source, o.Path, o.Line, o.Name
	s.identify(ref, ref.ARN)
	return r, nil
}
