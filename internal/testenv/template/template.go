// Package template reads the SAM template (template.yaml) for tests: the event patterns that route events to each
// function, the IAM policies, the resources. CloudFormation's short tags (!Ref, !Sub, !GetAtt, ...) become the long
// form maps ({"Ref": ...}, {"Fn::Sub": ...}) that the JSON form of a template uses, so tests look at one shape.
package template

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Template is a parsed CloudFormation/SAM template.
type Template struct {
	Parameters map[string]any
	Conditions map[string]any
	Globals    map[string]any
	Resources  map[string]Resource
	Outputs    map[string]any
	Metadata   map[string]any
	Rules      map[string]any
}

// Resource is one entry of Resources.
type Resource struct {
	Type       string
	Properties map[string]any
	Metadata   map[string]any
	DependsOn  any
	Condition  string
}

// Route is one way events reach a function: an EventBridge pattern, or a schedule.
type Route struct {
	// Function is the logical ID of the function the route invokes.
	Function string
	// Name is the SAM event name or the AWS::Events::Rule logical ID.
	Name string
	// Pattern is the event pattern; nil for a schedule.
	Pattern map[string]any
	// Schedule is the schedule expression (often a {"Ref": parameter}); nil for a pattern.
	Schedule any
}

// Load reads and parses a template file.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// Parse parses a template held in memory.
func Parse(data []byte) (*Template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	if len(doc.Content) != 1 {
		return nil, fmt.Errorf("parse template: want one YAML document, got %d", len(doc.Content))
	}
	v, err := value(doc.Content[0])
	if err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	top, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("parse template: top level is not a mapping")
	}
	t := &Template{
		Parameters: mapping(top["Parameters"]),
		Conditions: mapping(top["Conditions"]),
		Globals:    mapping(top["Globals"]),
		Outputs:    mapping(top["Outputs"]),
		Metadata:   mapping(top["Metadata"]),
		Rules:      mapping(top["Rules"]),
		Resources:  map[string]Resource{},
	}
	for id, r := range mapping(top["Resources"]) {
		m := mapping(r)
		typ, _ := m["Type"].(string)
		if typ == "" {
			return nil, fmt.Errorf("parse template: resource %s has no Type", id)
		}
		cond, _ := m["Condition"].(string)
		t.Resources[id] = Resource{Type: typ, Properties: mapping(m["Properties"]), Metadata: mapping(m["Metadata"]),
			DependsOn: m["DependsOn"], Condition: cond}
	}
	return t, nil
}

// OfType returns the logical IDs of the resources of one type, sorted.
func (t *Template) OfType(typ string) []string {
	var ids []string
	for id, r := range t.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// Routes returns every EventBridge pattern and schedule that invokes a function: the Events of type EventBridgeRule,
// CloudWatchEvent and Schedule of each AWS::Serverless::Function, and AWS::Events::Rule resources whose targets
// name a function with !GetAtt Function.Arn or !Ref. Sorted by function, then name.
func (t *Template) Routes() ([]Route, error) {
	var routes []Route
	for _, fn := range t.OfType("AWS::Serverless::Function") {
		for name, e := range mapping(t.Resources[fn].Properties["Events"]) {
			ev := mapping(e)
			props := mapping(ev["Properties"])
			switch ev["Type"] {
			case "EventBridgeRule", "CloudWatchEvent":
				p, ok := props["Pattern"].(map[string]any)
				if !ok {
					return nil, fmt.Errorf("function %s event %s has no Pattern", fn, name)
				}
				routes = append(routes, Route{Function: fn, Name: name, Pattern: p})
			case "Schedule", "ScheduleV2":
				s := props["Schedule"]
				if s == nil {
					s = props["ScheduleExpression"]
				}
				routes = append(routes, Route{Function: fn, Name: name, Schedule: s})
			}
		}
	}
	for _, id := range t.OfType("AWS::Events::Rule") {
		props := t.Resources[id].Properties
		targets, _ := props["Targets"].([]any)
		for _, tg := range targets {
			fn := logicalID(mapping(tg)["Arn"])
			if fn == "" {
				continue
			}
			r := Route{Function: fn, Name: id, Schedule: props["ScheduleExpression"]}
			if p, ok := props["EventPattern"].(map[string]any); ok {
				r.Pattern = p
			}
			routes = append(routes, r)
		}
	}
	sort.Slice(routes, func(i, j int) bool {
		if routes[i].Function != routes[j].Function {
			return routes[i].Function < routes[j].Function
		}
		return routes[i].Name < routes[j].Name
	})
	return routes, nil
}

// logicalID returns the resource a {"Fn::GetAtt": [id, attr]}, {"Fn::GetAtt": "id.attr"} or {"Ref": id} names.
func logicalID(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	switch g := m["Fn::GetAtt"].(type) {
	case []any:
		if len(g) > 0 {
			s, _ := g[0].(string)
			return s
		}
	case string:
		id, _, _ := strings.Cut(g, ".")
		return id
	}
	s, _ := m["Ref"].(string)
	return s
}

func mapping(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		return map[string]any{}
	}
	return m
}

// value converts a YAML node to plain Go values, short intrinsic-function tags included.
func value(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return value(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: mapping key is not a scalar", k.Line)
			}
			val, err := value(v)
			if err != nil {
				return nil, err
			}
			m[k.Value] = val
		}
		return intrinsic(n, m)
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := value(c)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		return intrinsic(n, s)
	case yaml.ScalarNode:
		return intrinsic(n, scalar(n))
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

// scalar decodes a plain scalar by its resolved tag; quoted scalars and custom tags stay strings.
func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!int":
		if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			return i
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!null":
		return nil
	}
	return n.Value
}

// intrinsic wraps v in the long form of a short tag: !Ref x is {"Ref": "x"}, !GetAtt a.b is {"Fn::GetAtt": ["a","b"]},
// !Sub s is {"Fn::Sub": s}, and so on for every !Name.
func intrinsic(n *yaml.Node, v any) (any, error) {
	tag := n.Tag
	if !strings.HasPrefix(tag, "!") || strings.HasPrefix(tag, "!!") {
		return v, nil
	}
	name := tag[1:]
	switch name {
	case "Ref", "Condition":
		return map[string]any{name: v}, nil
	case "GetAtt":
		if s, ok := v.(string); ok {
			id, attr, found := strings.Cut(s, ".")
			if !found {
				return nil, fmt.Errorf("line %d: !GetAtt %q has no attribute", n.Line, s)
			}
			return map[string]any{"Fn::GetAtt": []any{id, attr}}, nil
		}
	}
	return map[string]any{"Fn::" + name: v}, nil
}
