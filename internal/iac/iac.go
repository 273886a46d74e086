// Package iac reads the infrastructure code teams keep — CloudFormation and SAM templates (JSON and YAML, short-form
// tags included), CDK output (cdk.out/*.template.json) and Terraform plans (terraform show -json) — into the same
// model resources the loader reads from AWS CLI shapes, so the same rules judge them.
//
// Each resource is rewritten into the JSON its AWS API takes (register-task-definition input, create-repository
// input, put-registry-scanning-configuration input) and decoded by internal/load. What the file leaves open is judged,
// never assumed: an !If whose condition the template's defaults do not decide is judged on both branches (the worse
// verdict stands, its detail naming the condition and branch); a value known only at deployment (an !GetAtt, an
// !ImportValue, a parameter without a default, Terraform's after_unknown) is judged on probe values of its shape, and a
// rule whose verdict changes with them says NOT_AVAILABLE.
package iac

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/redact"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Format is a kind of infrastructure code file.
type Format string

// The formats read.
const (
	None           Format = ""
	CloudFormation Format = "CloudFormation template"
	Terraform      Format = "Terraform plan"
)

// Options apply to every file.
type Options struct {
	// Account and Region stand for AWS::AccountId and AWS::Region when given; otherwise those are unknown.
	Account, Region string
}

// Resource is one resource read from a file, with the variants that judge what the file leaves open.
type Resource struct {
	Base     model.Resource
	variants []variant
	opaque   []hole
}

type variant struct {
	hole *hole
	r    model.Resource
}

type (
	loadedTask = model.TaskDefinition
	loadedRepo = model.Repository
)

// Detect recognises a file by its content: a CloudFormation template (JSON or YAML) has a Resources mapping whose
// members carry an AWS:: Type, or an AWSTemplateFormatVersion; a Terraform plan has format_version and
// planned_values or resource_changes. root is the parsed document for Read.
func Detect(data []byte) (Format, *yaml.Node) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return None, nil
	}
	if trimmed[0] == '{' {
		// Most JSON a scan meets is the loader's (a describe-images output may be hundreds of megabytes): look for the
		// members that matter before parsing.
		if !bytes.Contains(trimmed, []byte(`"Resources"`)) && !bytes.Contains(trimmed, []byte(`"AWSTemplateFormatVersion"`)) &&
			!bytes.Contains(trimmed, []byte(`"format_version"`)) {
			return None, nil
		}
		var probe map[string]json.RawMessage
		if json.Unmarshal(trimmed, &probe) == nil {
			if _, ok := probe["format_version"]; ok {
				_, pv := probe["planned_values"]
				_, rc := probe["resource_changes"]
				if pv || rc {
					return Terraform, nil
				}
			}
			_, res := probe["Resources"]
			_, ver := probe["AWSTemplateFormatVersion"]
			if !res && !ver {
				return None, nil
			}
		}
	} else if trimmed[0] == '[' {
		return None, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		if trimmed[0] != '{' && looksLikeTemplate(trimmed) {
			return CloudFormation, nil // a broken YAML template: Read reports where
		}
		return None, nil
	}
	root := deref(&doc)
	if root == nil || root.Kind != yaml.MappingNode {
		return None, nil
	}
	if member(root, "AWSTemplateFormatVersion") != nil {
		return CloudFormation, root
	}
	for _, kv := range members(member(root, "Resources")) {
		if ty := member(kv[1], "Type"); ty != nil && (strings.HasPrefix(ty.Value, "AWS::") || strings.HasPrefix(ty.Value, "Custom::")) {
			return CloudFormation, root
		}
	}
	return None, nil
}

// IsOtherYAML reports whether data is a YAML mapping or sequence written in block style (not JSON) that Detect did
// not recognise: a docker-compose file, a Kubernetes manifest, a workflow. Such a file named on the command line is
// reported as what it is, not as invalid JSON.
func IsOtherYAML(data []byte) bool {
	t := bytes.TrimSpace(data)
	if len(t) == 0 || t[0] == '{' || t[0] == '[' || t[0] == '"' {
		return false
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil {
		return false
	}
	root := deref(&doc)
	return root != nil && (root.Kind == yaml.MappingNode || root.Kind == yaml.SequenceNode)
}

// looksLikeTemplate says whether text that is not valid YAML was meant as a template.
func looksLikeTemplate(t []byte) bool {
	return bytes.Contains(t, []byte("AWSTemplateFormatVersion")) ||
		bytes.Contains(t, []byte("Resources:")) && bytes.Contains(t, []byte("Type: AWS::"))
}

// Read reads the audited resources of a file Detect recognised. An error names the file, and the resource and line
// where it can; nothing of that file is kept then.
func Read(set *load.Set, opts Options, file string, data []byte) ([]*Resource, error) {
	f, root := Detect(data)
	var rs []*Resource
	var err error
	switch {
	case f == CloudFormation && root == nil:
		var doc yaml.Node
		err = yaml.Unmarshal(data, &doc)
		if err == nil {
			err = errors.New("not a YAML mapping")
		}
		err = fmt.Errorf("invalid YAML: %v", strings.TrimPrefix(err.Error(), "yaml: "))
	case f == CloudFormation:
		rs, err = readTemplate(set, opts, file, root)
	case f == Terraform:
		rs, err = readPlan(set, file, data)
	default:
		return nil, fmt.Errorf("%s: not a CloudFormation template or Terraform plan", file)
	}
	if err != nil {
		return nil, &load.FileError{Source: file, Msg: err.Error()}
	}
	return rs, nil
}

// maxHoles bounds the open values of one resource judged on probes (each costs an evaluation per probe); the
// others make the verdicts they could change NOT_AVAILABLE.
const maxHoles = 64

// buildVariants shapes a resource's properties for its API type, decodes the base document and one variant per
// value each hole may take.
func buildVariants[R model.Resource](o load.Origin, props map[string]any, t reflect.Type, renames map[string]string,
	decode func(load.Origin, []byte) (R, error), extra []hole) (*Resource, error) {
	s := &shaper{renames: renames}
	doc, err := s.shape(props, t, nil)
	if err != nil {
		return nil, err
	}
	if doc == absent || doc == nil {
		doc = map[string]any{}
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	base, err := decode(o, raw)
	if err != nil {
		return nil, err
	}
	out := &Resource{Base: base}
	holes := append(extra, s.holes...)
	for i := range holes {
		h := &holes[i]
		if i >= maxHoles && h.cond == "" {
			h.opaque = true // past the budget: judged as a value no probe can stand for
		}
		if h.opaque {
			out.opaque = append(out.opaque, *h)
			continue
		}
		for _, alt := range h.alts {
			vdoc := setPath(deepCopy(doc), h.path, alt)
			raw, err := json.Marshal(vdoc)
			if err != nil {
				return nil, err
			}
			r, err := decode(o, raw)
			if err != nil {
				if h.cond != "" {
					return nil, fmt.Errorf("when condition %s is false: %w", h.cond, err)
				}
				continue // a probe this field does not accept
			}
			out.variants = append(out.variants, variant{hole: h, r: r})
		}
	}
	return out, nil
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = deepCopy(e)
		}
		return l
	}
	return v
}

// setPath sets the value at path (API member names, any case) in doc; absent removes it.
func setPath(doc any, path []string, v any) any {
	if len(path) == 0 {
		if v == absent {
			return nil
		}
		return v
	}
	switch x := doc.(type) {
	case map[string]any:
		key := path[0]
		for k := range x {
			if strings.EqualFold(k, key) {
				key = k
				break
			}
		}
		if len(path) == 1 && v == absent {
			delete(x, key)
			return x
		}
		next, ok := x[key]
		if !ok && len(path) > 1 {
			next = map[string]any{}
		}
		x[key] = setPath(next, path[1:], v)
		return x
	case []any:
		i, err := strconv.Atoi(path[0])
		if err != nil || i < 0 || i >= len(x) {
			return x
		}
		x[i] = setPath(x[i], path[1:], v)
		return x
	case nil:
		return setPath(map[string]any{}, path, v)
	}
	return doc
}

// Judge evaluates resources read from files: each resource's base document, then its variants, the verdicts merged
// as the package documentation says.
func Judge(eng *engine.Engine, rs []*Resource, now time.Time) []engine.Finding {
	var out []engine.Finding
	for _, r := range rs {
		out = append(out, judgeOne(eng, r, now)...)
	}
	return out
}

type findingKey struct{ rule, container string }

// worse orders the verdicts of two branches: FAILED, then NOT_AVAILABLE, then PASSED, then NOT_APPLICABLE. A
// suppressed finding stays as the engine decided it.
func worse(a, b rule.Status) bool {
	rank := map[rule.Status]int{rule.NotApplicable: 1, rule.Passed: 2, rule.NotAvailable: 3, rule.Failed: 4}
	return rank[a] > rank[b] && rank[b] > 0
}

func judgeOne(eng *engine.Engine, r *Resource, now time.Time) []engine.Finding {
	base := eng.EvaluateOne(r.Base, now)
	if len(r.variants) == 0 && len(r.opaque) == 0 {
		return base
	}
	idx := make(map[findingKey]int, len(base))
	orig := make([]rule.Status, len(base))
	origDetail := make([]string, len(base))
	for i, f := range base {
		idx[findingKey{f.Rule.ID, f.Container}] = i
		orig[i], origDetail[i] = f.Status, f.Detail
	}
	open := map[int]*hole{}
	quoted := map[int]*hole{}
	for _, v := range r.variants {
		inherit(v.r, r.Base)
		for _, vf := range eng.EvaluateOne(v.r, now) {
			i, ok := idx[findingKey{vf.Rule.ID, vf.Container}]
			if !ok {
				continue
			}
			if vf.Status == orig[i] {
				if v.hole.cond == "" && vf.Detail != origDetail[i] && quoted[i] == nil {
					quoted[i] = v.hole // the same verdict, but its detail quotes the probe
				}
				continue
			}
			b := &base[i]
			if v.hole.cond == "" {
				if open[i] == nil {
					open[i] = v.hole
				}
				continue
			}
			switch {
			case worse(vf.Status, b.Status):
				b.Status, b.Severity, b.Path = vf.Status, vf.Severity, vf.Path
				b.Detail = vf.Detail + " (when condition " + v.hole.cond + " is false)"
			case worse(b.Status, vf.Status) && !strings.Contains(b.Detail, "(when condition "+v.hole.cond):
				b.Detail += " (when condition " + v.hole.cond + " is true)"
			}
		}
	}
	for i, h := range open {
		b := &base[i]
		b.Status = rule.NotAvailable
		b.Detail = "the verdict depends on " + strings.Join(h.path, "/") + ", which the file leaves open (" + h.why + ")"
		b.Path = strings.Join(h.path, "/")
	}
	for i, h := range quoted {
		if open[i] != nil {
			continue
		}
		b := &base[i]
		if b.Status == rule.NotAvailable {
			b.Detail = "cannot be judged from the file: " + strings.Join(h.path, "/") + " is known only at deployment (" + h.why + ")"
		} else {
			b.Detail = "the same verdict whatever value " + strings.Join(h.path, "/") + " takes (the file leaves it open: " + h.why + ")"
		}
	}
	for i := range base {
		// The details written here quote names from the file (conditions, parameters, resources): redacted as the
		// engine redacts a rule's.
		base[i].Detail = redact.Text(base[i].Detail)
	}
	for _, h := range r.opaque {
		container := ""
		if td, ok := r.Base.(*model.TaskDefinition); ok && len(h.path) > 1 && h.path[0] == "containerDefinitions" {
			if i, err := strconv.Atoi(h.path[1]); err == nil && i < len(td.Def.ContainerDefinitions) {
				container = td.ContainerName(i)
			}
		}
		for i := range base {
			b := &base[i]
			if b.Status != rule.Passed || (container != "" && b.Container != "" && b.Container != container) {
				continue
			}
			b.Status = rule.NotAvailable
			b.Detail = redact.Text(strings.Join(h.path, "/") + " is known only at deployment (" + h.why + "); the rule cannot be judged without it")
			b.Path = strings.Join(h.path, "/")
		}
	}
	return base
}

// inherit gives a variant what the scan joined to its base after reading: the images given beside a task
// definition, the registry of a repository, the identity scope.
func inherit(v, base model.Resource) {
	v.Ident().Scope = base.Ident().Scope
	switch b := base.(type) {
	case *model.TaskDefinition:
		if t, ok := v.(*model.TaskDefinition); ok {
			t.Images, t.ImageUsers = b.Images, b.ImageUsers
		}
	case *model.Repository:
		if r, ok := v.(*model.Repository); ok {
			r.Registry = b.Registry
		}
	}
}
