package iac

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/load"
)

// Terraform's attribute names are the API's in snake_case, nested blocks lists of one object, with these
// exceptions (the AWS provider's documentation of aws_ecs_task_definition, aws_ecr_repository and
// aws_ecr_registry_scanning_configuration).
var tfRenames = map[string]string{
	"TaskDefinition.volume":                        "Volumes",
	"TaskDefinition.inferenceaccelerator":          "InferenceAccelerators",
	"Repository.name":                              "RepositoryName",
	"Repository.imagetagmutabilityexclusionfilter": "ImageTagMutabilityExclusionFilters",
	"RegistryScanningConfiguration.rule":           "Rules",
	"RegistryScanningRule.repositoryfilter":        "RepositoryFilters",
}

// plan is the part of terraform show -json output read here.
type plan struct {
	FormatVersion   string `json:"format_version"`
	ResourceChanges []struct {
		Address string `json:"address"`
		Mode    string `json:"mode"`
		Type    string `json:"type"`
		Change  struct {
			Actions      []string        `json:"actions"`
			After        json.RawMessage `json:"after"`
			AfterUnknown json.RawMessage `json:"after_unknown"`
		} `json:"change"`
	} `json:"resource_changes"`
	PlannedValues struct {
		RootModule planModule `json:"root_module"`
	} `json:"planned_values"`
}

type planModule struct {
	Resources []struct {
		Address string          `json:"address"`
		Mode    string          `json:"mode"`
		Type    string          `json:"type"`
		Values  json.RawMessage `json:"values"`
	} `json:"resources"`
	ChildModules []planModule `json:"child_modules"`
}

// planResource is one resource as the plan will leave it.
type planResource struct {
	address, typ, path string
	values             map[string]any
}

var tfAudited = map[string]bool{
	"aws_ecs_task_definition": true, "aws_ecr_repository": true, "aws_ecr_repository_policy": true,
	"aws_ecr_lifecycle_policy": true, "aws_ecr_registry_scanning_configuration": true,
}

func readPlan(set *load.Set, file string, data []byte) ([]*Resource, error) {
	var p plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("not a Terraform plan: %v", err)
	}
	var prs []planResource
	if len(p.ResourceChanges) > 0 {
		for i, rc := range p.ResourceChanges {
			if _, estate := tfEstate[rc.Type]; rc.Mode != "managed" || (!tfAudited[rc.Type] && !estate) || isDelete(rc.Change.Actions) {
				continue
			}
			values, err := decodeValues(rc.Change.After)
			if err != nil {
				return nil, fmt.Errorf("%s: change.after: %v", rc.Address, err)
			}
			var unk any
			if len(rc.Change.AfterUnknown) > 0 {
				if err := json.Unmarshal(rc.Change.AfterUnknown, &unk); err != nil {
					return nil, fmt.Errorf("%s: change.after_unknown: %v", rc.Address, err)
				}
			}
			v := markUnknown(values, unk, rc.Address)
			m, _ := v.(map[string]any)
			prs = append(prs, planResource{address: rc.Address, typ: rc.Type, values: m,
				path: "resource_changes/" + strconv.Itoa(i) + "/change/after"})
		}
	} else {
		var walk func(m planModule) error
		walk = func(m planModule) error {
			for _, r := range m.Resources {
				if _, estate := tfEstate[r.Type]; r.Mode != "managed" || (!tfAudited[r.Type] && !estate) {
					continue
				}
				values, err := decodeValues(r.Values)
				if err != nil {
					return fmt.Errorf("%s: values: %v", r.Address, err)
				}
				m, _ := values.(map[string]any)
				prs = append(prs, planResource{address: r.Address, typ: r.Type, values: m})
			}
			for _, c := range m.ChildModules {
				if err := walk(c); err != nil {
					return err
				}
			}
			return nil
		}
		if err := walk(p.PlannedValues.RootModule); err != nil {
			return nil, err
		}
	}
	policies := map[string]*string{}
	lifecycles := map[string]*string{}
	for _, pr := range prs {
		repo, _ := pr.values["repository"].(string)
		switch pr.typ {
		case "aws_ecr_repository_policy":
			policies[repo] = policyText(pr.values["policy"])
		case "aws_ecr_lifecycle_policy":
			lifecycles[repo] = policyText(pr.values["policy"])
		}
	}
	var out []*Resource
	repos := map[string]bool{}
	for _, pr := range prs {
		if name, ok := pr.values["name"].(string); ok && pr.typ == "aws_ecr_repository" {
			repos[name] = true
		}
	}
	for _, pr := range prs {
		repo, _ := pr.values["repository"].(string)
		if (pr.typ != "aws_ecr_repository_policy" && pr.typ != "aws_ecr_lifecycle_policy") || repos[repo] || repo == "" {
			continue
		}
		// A policy of a repository the plan does not create: audit what it holds, the rest is not known.
		repos[repo] = true
		o := load.Origin{Source: file, Path: pr.path, Line: lineOf(data, pr.address), Name: pr.address}
		raw, _ := json.Marshal(map[string]string{"repositoryName": repo})
		r, err := set.DecodeRepositoryInput(o, raw, policies[repo], lifecycles[repo], nil)
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %w", o.Line, pr.address, err)
		}
		r.Described = false
		out = append(out, &Resource{Base: r})
	}
	for _, pr := range prs {
		o := load.Origin{Source: file, Path: pr.path, Line: lineOf(data, pr.address), Name: pr.address}
		var r *Resource
		var err error
		switch pr.typ {
		case "aws_ecs_task_definition":
			r, err = tfTask(set, o, pr.values)
		case "aws_ecr_repository":
			r, err = tfRepository(set, o, pr.values, policies, lifecycles)
		case "aws_ecr_registry_scanning_configuration":
			r, err = buildVariants(o, pr.values, registryType, tfRenames, set.DecodeRegistryInput, nil)
		default:
			e, ok := tfEstate[pr.typ]
			if !ok {
				continue
			}
			r, err = e.read(set, o, tfEstateValues(pr.values), tfEstateRenames)
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %w", o.Line, pr.address, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func isDelete(actions []string) bool {
	return len(actions) == 1 && actions[0] == "delete"
}

func decodeValues(raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return numbers(v), nil
}

// numbers turns json.Number into int64 or float64, as the template reader writes numbers.
func numbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
	}
	return v
}

// markUnknown puts an unknown wherever after_unknown says true.
func markUnknown(v, unk any, path string) any {
	switch u := unk.(type) {
	case bool:
		if u {
			return unknown{why: "known after apply: " + path}
		}
	case map[string]any:
		m, ok := v.(map[string]any)
		if !ok {
			m = map[string]any{}
		}
		for k, e := range u {
			if nv := markUnknown(m[k], e, path+"."+k); nv != nil {
				m[k] = nv
			}
		}
		return m
	case []any:
		l, _ := v.([]any)
		for i, e := range u {
			if i < len(l) {
				l[i] = markUnknown(l[i], e, path+"["+strconv.Itoa(i)+"]")
			}
		}
		return l
	}
	return v
}

// lineOf finds the line of a resource's address in the plan (its first mention after resource_changes).
func lineOf(data []byte, address string) int {
	quoted, _ := json.Marshal(address)
	start := bytes.Index(data, []byte(`"resource_changes"`))
	if start < 0 {
		start = 0
	}
	i := bytes.Index(data[start:], quoted)
	if i < 0 {
		i = bytes.Index(data, quoted)
		start = 0
	}
	if i < 0 {
		return 0
	}
	return 1 + bytes.Count(data[:start+i], []byte("\n"))
}

// Attributes Terraform computes that no rule reads.
var tfComputed = []string{"arn", "arn_without_revision", "revision", "id", "tags_all", "registry_id", "repository_url"}

func tfTask(set *load.Set, o load.Origin, values map[string]any) (*Resource, error) {
	v := make(map[string]any, len(values))
	for k, e := range values {
		v[k] = e
	}
	for _, k := range tfComputed {
		delete(v, k)
	}
	switch cd := v["container_definitions"].(type) {
	case string:
		var list []any
		dec := json.NewDecoder(strings.NewReader(cd))
		dec.UseNumber()
		if err := dec.Decode(&list); err != nil {
			return nil, fmt.Errorf("container_definitions: not a JSON list of container definitions: %v", err)
		}
		v["containerDefinitions"] = numbers(list)
		delete(v, "container_definitions")
	case unknown:
		return nil, errors.New("container_definitions is known only after apply: the task definition cannot be audited from this plan")
	default:
		return nil, errors.New("container_definitions: want the JSON string Terraform stores")
	}
	if vols, ok := v["volume"].([]any); ok {
		for _, e := range vols {
			vol, ok := e.(map[string]any)
			if !ok {
				continue
			}
			if hp, ok := vol["host_path"]; ok {
				if s, isStr := hp.(string); !isStr || s != "" {
					vol["host"] = map[string]any{"sourcePath": hp}
				}
				delete(vol, "host_path")
			}
		}
	}
	if pcs, ok := v["proxy_configuration"].([]any); ok && len(pcs) == 1 {
		if pc, ok := pcs[0].(map[string]any); ok {
			if props, ok := pc["properties"].(map[string]any); ok {
				var list []any
				for _, k := range slices.Sorted(maps.Keys(props)) {
					list = append(list, map[string]any{"name": k, "value": props[k]})
				}
				pc["properties"] = list
			}
		}
	}
	tags, _ := tagsOf(v["tags"])
	delete(v, "tags")
	decode := func(o load.Origin, raw []byte) (*loadedTask, error) {
		td, err := set.DecodeTaskInput(o, raw)
		if err == nil && tags != nil {
			td.Tags = tags
		}
		return td, err
	}
	return buildVariants(o, v, taskType, tfRenames, decode, nil)
}

func tfRepository(set *load.Set, o load.Origin, values map[string]any, policies, lifecycles map[string]*string) (*Resource, error) {
	v := make(map[string]any, len(values))
	for k, e := range values {
		v[k] = e
	}
	for _, k := range tfComputed {
		delete(v, k)
	}
	name, _ := v["name"].(string)
	empty := ""
	policy, lifecycle := &empty, &empty // the plan says all there is: no policy resource for it is none
	if p, ok := policies[name]; ok {
		policy = p
	}
	if l, ok := lifecycles[name]; ok {
		lifecycle = l
	}
	tags, known := tagsOf(v["tags"])
	delete(v, "tags")
	if !known {
		tags = nil
	} else if tags == nil {
		tags = map[string]string{}
	}
	decode := func(o load.Origin, raw []byte) (*loadedRepo, error) {
		return set.DecodeRepositoryInput(o, raw, policy, lifecycle, tags)
	}
	return buildVariants(o, v, repoType, tfRenames, decode, nil)
}
