package model

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Service is one ECS service as DescribeServices returns it.
type Service struct {
	Ref
	Svc ecstypes.Service
	// TagsKnown says whether Tags reflects the service's tags (DescribeServices returns them only with
	// include=TAGS; absent tags then mean none).
	TagsKnown bool
	// InternetFacing holds the target groups of the service and its task sets that an internet-facing load balancer
	// forwards to, as read from Elastic Load Balancing; nil when that was not read.
	InternetFacing map[string]bool `json:",omitempty"`
}

// Ident implements Resource.
func (s *Service) Ident() *Ref { return &s.Ref }

// Kind implements Resource.
func (s *Service) Kind() *Kind { return KindService }

// ID implements Resource: the ARN, or the service name.
func (s *Service) ID() string {
	return firstOf(s.ARN, aws.ToString(s.Svc.ServiceArn), aws.ToString(s.Svc.ServiceName))
}

// Name returns the service name.
func (s *Service) Name() string { return aws.ToString(s.Svc.ServiceName) }

func serviceFromCLI(decode func(v any) error) (Resource, error) {
	s := &Service{}
	if err := decode(&s.Svc); err != nil {
		return nil, err
	}
	s.ARN = aws.ToString(s.Svc.ServiceArn)
	s.Tags, s.TagsKnown = TagsFromECS(s.Svc.Tags), s.Svc.Tags != nil
	return s, nil
}

// TaskSet is one task set of a service (CodeDeploy or external deployments) as DescribeTaskSets returns it.
type TaskSet struct {
	Ref
	Set ecstypes.TaskSet
	// InternetFacing holds the task set's target groups that an internet-facing load balancer forwards to (see
	// Service.InternetFacing).
	InternetFacing map[string]bool `json:",omitempty"`
}

// Ident implements Resource.
func (t *TaskSet) Ident() *Ref { return &t.Ref }

// Kind implements Resource.
func (t *TaskSet) Kind() *Kind { return KindTaskSet }

// ID implements Resource: the ARN, or the task set ID.
func (t *TaskSet) ID() string {
	return firstOf(t.ARN, aws.ToString(t.Set.TaskSetArn), aws.ToString(t.Set.Id))
}

func taskSetFromCLI(decode func(v any) error) (Resource, error) {
	t := &TaskSet{}
	if err := decode(&t.Set); err != nil {
		return nil, err
	}
	t.ARN = aws.ToString(t.Set.TaskSetArn)
	t.Tags = TagsFromECS(t.Set.Tags)
	return t, nil
}

// Cluster is one ECS cluster as DescribeClusters returns it with include SETTINGS, CONFIGURATIONS and TAGS.
type Cluster struct {
	Ref
	Cluster ecstypes.Cluster
	// SettingsKnown says whether Cluster.Settings reflects the cluster's settings (DescribeClusters returns them
	// only with include=SETTINGS); TagsKnown the same of its tags (include=TAGS).
	SettingsKnown bool
	TagsKnown     bool
}

// Ident implements Resource.
func (c *Cluster) Ident() *Ref { return &c.Ref }

// Kind implements Resource.
func (c *Cluster) Kind() *Kind { return KindCluster }

// ID implements Resource: the ARN, or the cluster name.
func (c *Cluster) ID() string {
	return firstOf(c.ARN, aws.ToString(c.Cluster.ClusterArn), aws.ToString(c.Cluster.ClusterName))
}

// Name returns the cluster name.
func (c *Cluster) Name() string { return aws.ToString(c.Cluster.ClusterName) }

// Setting returns the value of the named cluster setting; ok is false when the cluster lists no such setting.
func (c *Cluster) Setting(name ecstypes.ClusterSettingName) (value string, ok bool) {
	for _, s := range c.Cluster.Settings {
		if s.Name == name {
			return aws.ToString(s.Value), true
		}
	}
	return "", false
}

// ExecConfig returns the cluster's execute command configuration, or nil when it has none.
func (c *Cluster) ExecConfig() *ecstypes.ExecuteCommandConfiguration {
	if c.Cluster.Configuration == nil {
		return nil
	}
	return c.Cluster.Configuration.ExecuteCommandConfiguration
}

func clusterFromCLI(decode func(v any) error) (Resource, error) {
	c := &Cluster{}
	if err := decode(&c.Cluster); err != nil {
		return nil, err
	}
	c.ARN = aws.ToString(c.Cluster.ClusterArn)
	c.Tags, c.TagsKnown = TagsFromECS(c.Cluster.Tags), c.Cluster.Tags != nil
	c.SettingsKnown = c.Cluster.Settings != nil
	return c, nil
}

// CapacityProvider is one capacity provider as DescribeCapacityProviders returns it.
type CapacityProvider struct {
	Ref
	Provider ecstypes.CapacityProvider
}

// Ident implements Resource.
func (p *CapacityProvider) Ident() *Ref { return &p.Ref }

// Kind implements Resource.
func (p *CapacityProvider) Kind() *Kind { return KindCapacityProvider }

// ID implements Resource: the ARN, or the provider's name (FARGATE and FARGATE_SPOT have no ARN).
func (p *CapacityProvider) ID() string {
	return firstOf(p.ARN, aws.ToString(p.Provider.CapacityProviderArn), aws.ToString(p.Provider.Name))
}

// Name returns the provider's name.
func (p *CapacityProvider) Name() string { return aws.ToString(p.Provider.Name) }

func capacityProviderFromCLI(decode func(v any) error) (Resource, error) {
	p := &CapacityProvider{}
	if err := decode(&p.Provider); err != nil {
		return nil, err
	}
	p.ARN = aws.ToString(p.Provider.CapacityProviderArn)
	p.Tags = TagsFromECS(p.Provider.Tags)
	return p, nil
}

// ContainerInstance is one instance registered with a cluster, as DescribeContainerInstances returns it: its
// attributes, never its user data (which the API does not return and which often holds secrets).
type ContainerInstance struct {
	Ref
	Instance ecstypes.ContainerInstance
	// PrivilegedTasks are the ARNs of the tasks placed on the instance that run a privileged container, when the
	// tasks placed there were read (nil otherwise).
	PrivilegedTasks []string
}

// Ident implements Resource.
func (c *ContainerInstance) Ident() *Ref { return &c.Ref }

// Kind implements Resource.
func (c *ContainerInstance) Kind() *Kind { return KindContainerInstance }

// ID implements Resource: the container instance ARN, or the EC2 instance ID.
func (c *ContainerInstance) ID() string {
	return firstOf(c.ARN, aws.ToString(c.Instance.ContainerInstanceArn), aws.ToString(c.Instance.Ec2InstanceId))
}

// Attribute returns the value of the named attribute and whether the instance has it (capability attributes have
// no value).
func (c *ContainerInstance) Attribute(name string) (value string, ok bool) {
	for _, a := range c.Instance.Attributes {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value), true
		}
	}
	return "", false
}

func containerInstanceFromCLI(decode func(v any) error) (Resource, error) {
	c := &ContainerInstance{}
	if err := decode(&c.Instance); err != nil {
		return nil, err
	}
	c.ARN = aws.ToString(c.Instance.ContainerInstanceArn)
	c.Tags = TagsFromECS(c.Instance.Tags)
	return c, nil
}

// UsesFargate reports whether a service or task set runs on Fargate: its launch type, or a capacity provider of
// its strategy named FARGATE or FARGATE_SPOT.
func UsesFargate(launch ecstypes.LaunchType, strategy []ecstypes.CapacityProviderStrategyItem) bool {
	if launch == ecstypes.LaunchTypeFargate {
		return true
	}
	for _, s := range strategy {
		if p := aws.ToString(s.CapacityProvider); strings.EqualFold(p, "FARGATE") || strings.EqualFold(p, "FARGATE_SPOT") {
			return true
		}
	}
	return false
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
