package iac

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"gopkg.in/yaml.v3"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// The converters below are the test's own script: they write a task definition the loader read (from register
// input, describe output, AWS Config items...) as CloudFormation JSON and YAML and as a Terraform plan, the way
// those tools write it, so the test can ask whether the same rules say the same thing whatever the file.

// keyStyle rewrites a Go field name as a format names the member.
type keyStyle func(goName string) string

func pascal(n string) string { return n }

func camel(n string) string { return strings.ToLower(n[:1]) + n[1:] }

func snake(n string) string {
	var b strings.Builder
	rs := []rune(n)
	for i, r := range rs {
		if unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// write renders an SDK value as a tree with its struct members named by style; maps keep their keys (log options,
// Docker labels). Terraform writes nested blocks as lists of one object (blocks true).
func write(v reflect.Value, style keyStyle, blocks bool) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return write(v.Elem(), style, blocks)
	case reflect.Struct:
		if v.Type() == timeType {
			return v.Interface().(time.Time).Format(time.RFC3339)
		}
		out := map[string]any{}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			if fv.IsZero() && fv.Kind() != reflect.Bool {
				continue
			}
			if (fv.Kind() == reflect.Slice) && fv.Len() == 0 && !fv.IsNil() {
				out[style(f.Name)] = []any{}
				continue
			}
			w := write(fv, style, blocks)
			if blocks && (fv.Kind() == reflect.Pointer && fv.Elem().Kind() == reflect.Struct && fv.Elem().Type() != timeType) {
				w = []any{w}
			}
			out[style(f.Name)] = w
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		out := make([]any, v.Len())
		for i := range v.Len() {
			out[i] = write(v.Index(i), style, blocks)
		}
		return out
	case reflect.Map:
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[k.String()] = write(v.MapIndex(k), style, blocks)
		}
		return out
	}
	return v.Interface()
}

// readOnly are the members describe-task-definition adds that no template or configuration writes.
var readOnly = []string{"TaskDefinitionArn", "Revision", "Status", "RequiresAttributes", "Compatibilities",
	"RegisteredAt", "RegisteredBy", "DeregisteredAt", "DeleteRequestedAt"}

func writable(td ecstypes.TaskDefinition) ecstypes.TaskDefinition {
	v := reflect.ValueOf(&td).Elem()
	for _, n := range readOnly {
		f := v.FieldByName(n)
		f.Set(reflect.Zero(f.Type()))
	}
	return td
}

func cfnTags(tags map[string]string) []any {
	var out []any
	for _, k := range model.SortedKeys(tags) {
		out = append(out, map[string]any{"Key": k, "Value": tags[k]})
	}
	return out
}

// toTemplate writes a task definition as a CloudFormation template (a tree json.Marshal or yaml.Marshal renders).
func toTemplate(t *model.TaskDefinition) map[string]any {
	props := write(reflect.ValueOf(writable(t.Def)), pascal, false).(map[string]any)
	if pc, ok := props["ProxyConfiguration"].(map[string]any); ok {
		if p, ok := pc["Properties"]; ok {
			pc["ProxyConfigurationProperties"] = p
			delete(pc, "Properties")
		}
	}
	if len(t.Tags) > 0 {
		props["Tags"] = cfnTags(t.Tags)
	}
	return map[string]any{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Resources": map[string]any{
			"TaskDef": map[string]any{"Type": "AWS::ECS::TaskDefinition", "Properties": props},
		},
	}
}

// toPlan writes a task definition as terraform show -json output: attributes in snake_case, nested blocks as lists
// of one, container_definitions the JSON string Terraform stores, and the attributes known only after apply.
func toPlan(t *model.TaskDefinition) (map[string]any, error) {
	td := writable(t.Def)
	containers := td.ContainerDefinitions
	td.ContainerDefinitions = nil
	volumes := td.Volumes
	td.Volumes = nil
	proxy := td.ProxyConfiguration
	td.ProxyConfiguration = nil
	after := write(reflect.ValueOf(td), snake, true).(map[string]any)
	cd, err := json.Marshal(write(reflect.ValueOf(containers), camel, false))
	if err != nil {
		return nil, err
	}
	after["container_definitions"] = string(cd)
	if len(volumes) > 0 {
		var vs []any
		for _, v := range volumes {
			host := v.Host
			v.Host = nil
			m := write(reflect.ValueOf(v), snake, true).(map[string]any)
			if host != nil {
				m["host_path"] = aws.ToString(host.SourcePath)
			}
			vs = append(vs, m)
		}
		after["volume"] = vs
	}
	if proxy != nil {
		props := map[string]any{}
		for _, p := range proxy.Properties {
			props[aws.ToString(p.Name)] = aws.ToString(p.Value)
		}
		after["proxy_configuration"] = []any{map[string]any{
			"type": string(proxy.Type), "container_name": aws.ToString(proxy.ContainerName), "properties": props,
		}}
	}
	if ia, ok := after["inference_accelerators"]; ok {
		after["inference_accelerator"] = ia
		delete(after, "inference_accelerators")
	}
	if len(t.Tags) > 0 {
		tags := map[string]any{}
		for k, v := range t.Tags {
			tags[k] = v
		}
		after["tags"] = tags
	}
	return map[string]any{
		"format_version":    "1.2",
		"terraform_version": "1.9.5",
		"resource_changes": []any{map[string]any{
			"address": "aws_ecs_task_definition.this", "mode": "managed", "type": "aws_ecs_task_definition", "name": "this",
			"change": map[string]any{
				"actions": []any{"create"}, "before": nil, "after": after,
				"after_unknown": map[string]any{"arn": true, "arn_without_revision": true, "id": true, "revision": true, "tags_all": true},
			},
		}},
	}, nil
}

func marshalYAML(v any) ([]byte, error) { return yaml.Marshal(v) }
