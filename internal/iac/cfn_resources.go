package iac

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"gopkg.in/yaml.v3"

	"github.com/ecsaudit/ecsaudit/internal/load"
)

// CloudFormation's property names are the API's, capitalised, with these exceptions (AWS CloudFormation resource
// reference: AWS::ECS::TaskDefinition ProxyConfiguration, AWS::ECR::Repository ImageTagMutabilityExclusionFilter).
var cfnRenames = map[string]string{
	"ProxyConfiguration.proxyconfigurationproperties":                          "Properties",
	"ImageTagMutabilityExclusionFilter.imagetagmutabilityexclusionfiltertype":  "FilterType",
	"ImageTagMutabilityExclusionFilter.imagetagmutabilityexclusionfiltervalue": "Filter",
}

var (
	taskType     = reflect.TypeOf(ecstypes.TaskDefinition{})
	repoType     = reflect.TypeOf(ecrtypes.Repository{})
	registryType = reflect.TypeOf(ecrtypes.RegistryScanningConfiguration{})
)

// fieldPrefix is the field path the loader's validation errors start with.
// ("containerDefinitions[0].logConfiguration.logDriver", or as a field error names it, "ContainerDefinitions/0/LogConfiguration/LogDriver").
var fieldPrefix = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9]*(?:\[\d+\]|[./][A-Za-z0-9]+)*): `)

// readTemplate reads the audited resources of a CloudFormation template.
func readTemplate(set *load.Set, opts Options, file string, root *yaml.Node) ([]*Resource, error) {
	t := parseTemplate(file, root, opts.Account, opts.Region)
	ids := make([]string, 0, len(t.resources))
	for id := range t.resources {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return t.lines[ids[i]] < t.lines[ids[j]] })
	var out []*Resource
	for _, id := range ids {
		ty := t.types[id]
		if _, estate := cfnEstate[ty]; !estate && ty != "AWS::ECS::TaskDefinition" && ty != "AWS::ECR::Repository" && ty != "AWS::ECR::RegistryScanningConfiguration" {
			continue
		}
		node := t.resources[id]
		if c := member(node, "Condition"); c != nil {
			v, err := t.condition(c.Value, 0)
			if err != nil {
				return nil, fmt.Errorf("condition of Resources/%s: %w", id, err)
			}
			if v == isFalse {
				continue // not created with the template's defaults
			}
		}
		o := load.Origin{Source: file, Path: "Resources/" + id + "/Properties", Line: t.lines[id], Name: id}
		propsNode := member(node, "Properties")
		pv, err := t.eval(propsNode)
		if err != nil {
			return nil, fmt.Errorf("in Resources/%s/Properties: %w", id, err)
		}
		props, _ := pv.(map[string]any)
		if props == nil && pv != nil {
			return nil, fmt.Errorf("line %d: Resources/%s/Properties: want an object", o.Line, id)
		}
		var r *Resource
		switch ty {
		case "AWS::ECS::TaskDefinition":
			r, err = cfnTask(set, o, props)
		case "AWS::ECR::Repository":
			r, err = cfnRepository(set, o, props)
		case "AWS::ECR::RegistryScanningConfiguration":
			r, err = buildVariants(o, props, registryType, cfnRenames, set.DecodeRegistryInput, nil)
		default:
			r, err = cfnEstate[ty].read(set, o, props, cfnEstateRenames)
		}
		if err != nil {
			line, col := o.Line, 1
			var se *shapeError
			if errors.As(err, &se) && propsNode != nil {
				n := locate(propsNode, se.path)
				line, col = n.Line, n.Column
			} else if m := fieldPrefix.FindStringSubmatch(err.Error()); m != nil && propsNode != nil {
				// The loader names the field first ("containerDefinitions[0].logConfiguration.logDriver: ...").
				p := strings.NewReplacer("[", ".", "]", "", "/", ".").Replace(m[1])
				if n := locate(propsNode, strings.Split(p, ".")); n != propsNode {
					line, col = n.Line, n.Column
				}
			}
			return nil, fmt.Errorf("line %d, column %d: Resources/%s (%s): %w", line, col, id, ty, err)
		}
		if propsNode != nil {
			r.Base.Ident().LineOf = func(path string) int {
				if n := locate(propsNode, strings.Split(path, "/")); n != propsNode {
					return n.Line
				}
				return 0 // nothing below Properties: the resource's own line serves
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func cfnTask(set *load.Set, o load.Origin, props map[string]any) (*Resource, error) {
	tags, _ := tagsOf(props["Tags"])
	decode := func(o load.Origin, raw []byte) (*loadedTask, error) {
		td, err := set.DecodeTaskInput(o, raw)
		if err == nil && tags != nil {
			td.Tags = tags
		}
		return td, err
	}
	return buildVariants(o, props, taskType, cfnRenames, decode, nil)
}

func cfnRepository(set *load.Set, o load.Origin, props map[string]any) (*Resource, error) {
	empty := ""
	policy, lifecycle := &empty, &empty // the template says all there is: no policy written is none
	if p, ok := props["RepositoryPolicyText"]; ok {
		policy = policyText(p)
	}
	if lp, ok := props["LifecyclePolicy"].(map[string]any); ok {
		lifecycle = policyText(lp["LifecyclePolicyText"])
	} else if _, ok := props["LifecyclePolicy"]; ok {
		lifecycle = nil
	}
	tags, known := tagsOf(props["Tags"])
	if !known {
		tags = nil
	} else if tags == nil {
		tags = map[string]string{}
	}
	decode := func(o load.Origin, raw []byte) (*loadedRepo, error) {
		return set.DecodeRepositoryInput(o, raw, policy, lifecycle, tags)
	}
	return buildVariants(o, props, repoType, cfnRenames, decode, nil)
}

// policyText writes a policy given as an object or a string; nil when the template leaves it open.
func policyText(v any) *string {
	if v == nil {
		return nil
	}
	if hasOpen(v) {
		return nil
	}
	if s, ok := v.(string); ok {
		return &s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	s := string(b)
	return &s
}

// tagsOf reads CloudFormation tags ([{Key, Value}]) or Terraform's map; known is false when the file leaves them
// open.
func tagsOf(v any) (map[string]string, bool) {
	switch x := v.(type) {
	case nil:
		return nil, true
	case map[string]any:
		m := map[string]string{}
		for k, e := range x {
			if hasOpen(e) {
				return nil, false
			}
			m[k] = scalarString(e)
		}
		return m, true
	case []any:
		m := map[string]string{}
		for _, e := range x {
			kv, ok := e.(map[string]any)
			if !ok || hasOpen(kv) {
				return nil, false
			}
			m[scalarString(kv["Key"])] = scalarString(kv["Value"])
		}
		return m, true
	}
	return nil, false
}
