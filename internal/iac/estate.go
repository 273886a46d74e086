package iac

import (
	"maps"
	"reflect"
	"slices"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/model"
)

// estateType is how a template or plan type of the ECS estate is read: its kind, and the API type its properties
// are shaped into (the kind's describe output element, which the kind's FromCLI reads).
type estateType struct {
	kind *model.Kind
	api  reflect.Type
}

// cfnEstate are the CloudFormation types of the ECS estate read from templates.
var cfnEstate = map[string]estateType{
	"AWS::ECS::Service":          {model.KindService, reflect.TypeOf(ecstypes.Service{})},
	"AWS::ECS::TaskSet":          {model.KindTaskSet, reflect.TypeOf(ecstypes.TaskSet{})},
	"AWS::ECS::Cluster":          {model.KindCluster, reflect.TypeOf(ecstypes.Cluster{})},
	"AWS::ECS::CapacityProvider": {model.KindCapacityProvider, reflect.TypeOf(ecstypes.CapacityProvider{})},
}

// tfEstate are the Terraform types of the ECS estate read from plans.
var tfEstate = map[string]estateType{
	"aws_ecs_service":           {model.KindService, reflect.TypeOf(ecstypes.Service{})},
	"aws_ecs_task_set":          {model.KindTaskSet, reflect.TypeOf(ecstypes.TaskSet{})},
	"aws_ecs_cluster":           {model.KindCluster, reflect.TypeOf(ecstypes.Cluster{})},
	"aws_ecs_capacity_provider": {model.KindCapacityProvider, reflect.TypeOf(ecstypes.CapacityProvider{})},
}

// Properties whose CloudFormation names differ from the API's (AWS::ECS::Service, TaskSet and Cluster reference
// pages against DescribeServices, DescribeTaskSets and DescribeClusters).
var cfnEstateRenames = map[string]string{
	"Service.cluster":         "ClusterArn",
	"Service.role":            "RoleArn",
	"TaskSet.cluster":         "ClusterArn",
	"TaskSet.service":         "ServiceArn",
	"Cluster.clustersettings": "Settings",
}

// Attributes whose Terraform names differ from the API's (the AWS provider's aws_ecs_service, aws_ecs_task_set,
// aws_ecs_cluster and aws_ecs_capacity_provider).
var tfEstateRenames = map[string]string{
	"Service.name":    "ServiceName",
	"Service.cluster": "ClusterArn",
	"Service.iamrole": "RoleArn",
	"TaskSet.cluster": "ClusterArn",
	"TaskSet.service": "ServiceArn",
	"Cluster.name":    "ClusterName",
	"Cluster.setting": "Settings",
}

func (e estateType) read(set *load.Set, o load.Origin, props map[string]any, renames map[string]string) (*Resource, error) {
	decode := func(o load.Origin, raw []byte) (model.Resource, error) { return set.DecodeKindInput(e.kind, o, raw) }
	return buildVariants(o, props, e.api, renames, decode, nil)
}

// tfEstateValues rewrites a plan's values of an estate type where Terraform's shape is not the API's: tags are a map,
// and a service's or task set's network_configuration is the awsvpc configuration itself, assign_public_ip a boolean.
func tfEstateValues(values map[string]any) map[string]any {
	v := make(map[string]any, len(values))
	for k, e := range values {
		v[k] = e
	}
	for _, k := range tfComputed {
		delete(v, k)
	}
	if tags, ok := v["tags"].(map[string]any); ok {
		var list []any
		for _, k := range slices.Sorted(maps.Keys(tags)) {
			list = append(list, map[string]any{"key": k, "value": tags[k]})
		}
		v["tags"] = list
	}
	if ncs, ok := v["network_configuration"].([]any); ok && len(ncs) == 1 {
		if nc, ok := ncs[0].(map[string]any); ok {
			awsvpc := make(map[string]any, len(nc))
			for k, e := range nc {
				awsvpc[k] = e
			}
			switch ip := nc["assign_public_ip"].(type) {
			case bool:
				awsvpc["assign_public_ip"] = map[bool]string{true: "ENABLED", false: "DISABLED"}[ip]
			case nil:
				delete(awsvpc, "assign_public_ip")
			}
			v["network_configuration"] = map[string]any{"awsvpc_configuration": awsvpc}
		}
	}
	return v
}
