package iac

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// template is a CloudFormation (or SAM, or CDK-synthesized) template being read.
type template struct {
	file       string
	params     map[string]*yaml.Node
	mappings   *yaml.Node
	conditions map[string]*yaml.Node
	resources  map[string]*yaml.Node // logical ID -> the resource's node
	types      map[string]string     // logical ID -> Type
	lines      map[string]int        // logical ID -> the line naming it
	condCache  map[string]tri
	condActive map[string]bool // conditions being evaluated: one met again refers to itself
	// budget is how many more nodes eval may visit: YAML aliases can make a small file a huge tree.
	budget  int
	account string
	region  string
}

// tri is a condition's value: decided true or false, or undecidable from the template's defaults.
type tri int

const (
	undecided tri = iota
	isTrue
	isFalse
)

// pos is a located error.
type posError struct {
	line, col int
	msg       string
}

func (e *posError) Error() string { return fmt.Sprintf("line %d, column %d: %s", e.line, e.col, e.msg) }

func errAt(n *yaml.Node, format string, a ...any) error {
	return &posError{line: n.Line, col: n.Column, msg: fmt.Sprintf(format, a...)}
}

// mapping returns a mapping node's members in order.
func members(n *yaml.Node) [][2]*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([][2]*yaml.Node, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
	}
	return out
}

func member(n *yaml.Node, key string) *yaml.Node {
	for _, kv := range members(n) {
		if kv[0].Value == key {
			return kv[1]
		}
	}
	return nil
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && (n.Kind == yaml.AliasNode || n.Kind == yaml.DocumentNode) {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		} else if len(n.Content) > 0 {
			n = n.Content[0]
		} else {
			return nil
		}
	}
	return n
}

// parseTemplate reads the template's sections; root is its top-level mapping.
func parseTemplate(file string, root *yaml.Node, account, region string) *template {
	t := &template{
		file: file, params: map[string]*yaml.Node{}, conditions: map[string]*yaml.Node{},
		resources: map[string]*yaml.Node{}, types: map[string]string{}, lines: map[string]int{}, condCache: map[string]tri{},
		condActive: map[string]bool{}, budget: maxNodes, account: account, region: region,
	}
	for _, kv := range members(member(root, "Parameters")) {
		t.params[kv[0].Value] = kv[1]
	}
	t.mappings = member(root, "Mappings")
	for _, kv := range members(member(root, "Conditions")) {
		t.conditions[kv[0].Value] = kv[1]
	}
	for _, kv := range members(member(root, "Resources")) {
		t.resources[kv[0].Value] = kv[1]
		t.lines[kv[0].Value] = kv[0].Line
		if ty := member(kv[1], "Type"); ty != nil {
			t.types[kv[0].Value] = ty.Value
		}
	}
	return t
}

// intrinsic names a node's intrinsic function, in long form ("Fn::GetAtt", "Ref"), and its argument; ok is false
// for plain values. The short forms are YAML tags (!GetAtt); the long forms one-key mappings.
func intrinsic(n *yaml.Node) (name string, arg *yaml.Node, ok bool) {
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		short := n.Tag[1:]
		if short == "Ref" || short == "Condition" {
			name = short
		} else {
			name = "Fn::" + short
		}
		arg := *n
		arg.Tag = ""
		arg.Style &^= yaml.TaggedStyle
		switch arg.Kind {
		case yaml.ScalarNode:
			arg.Tag = "!!str"
		case yaml.SequenceNode:
			arg.Tag = "!!seq"
		case yaml.MappingNode:
			arg.Tag = "!!map"
		}
		return name, &arg, true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		k := n.Content[0].Value
		if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
			return k, n.Content[1], true
		}
	}
	return "", nil, false
}

// maxNodes bounds the nodes a template's resources may expand to (aliases included): a thousand times more than the
// largest template CloudFormation accepts (1 MB) is likely to hold.
const maxNodes = 1 << 20

// eval resolves a node into the value tree, its intrinsics resolved where the template decides them.
func (t *template) eval(n *yaml.Node) (any, error) {
	n = deref(n)
	if n == nil {
		return nil, nil
	}
	if t.budget--; t.budget < 0 {
		return nil, errAt(n, "the template expands to more than %d values (YAML aliases?)", maxNodes)
	}
	if name, arg, ok := intrinsic(n); ok && name != "Condition" {
		return t.call(n, name, deref(arg))
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return scalar(n)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := t.eval(c)
			if err != nil {
				return nil, err
			}
			if _, drop := v.(noValue); drop {
				continue
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for _, kv := range members(n) {
			v, err := t.eval(kv[1])
			if err != nil {
				return nil, err
			}
			if _, drop := v.(noValue); drop {
				continue
			}
			out[kv[0].Value] = v
		}
		return out, nil
	}
	return nil, errAt(n, "unexpected YAML node")
}

func scalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, errAt(n, "%v", err)
		}
		return b, nil
	case "!!int":
		if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			return i, nil
		}
		return n.Value, nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return n.Value, nil
		}
		return f, nil
	}
	return n.Value, nil
}

func (t *template) call(n *yaml.Node, name string, arg *yaml.Node) (any, error) {
	switch name {
	case "Ref":
		if arg.Kind != yaml.ScalarNode {
			return nil, errAt(n, "Ref: want a name")
		}
		return t.ref(arg)
	case "Fn::GetAtt":
		var target, attr string
		switch arg.Kind {
		case yaml.ScalarNode:
			target, attr, _ = strings.Cut(arg.Value, ".")
		case yaml.SequenceNode:
			if len(arg.Content) == 2 {
				target = arg.Content[0].Value
				a, err := t.eval(arg.Content[1])
				if err != nil {
					return nil, err
				}
				attr, _ = a.(string)
			}
		}
		if target == "" {
			return nil, errAt(n, "Fn::GetAtt: want Resource.Attribute or [Resource, Attribute]")
		}
		return t.getAtt(target, attr), nil
	case "Fn::ImportValue":
		return unknown{why: "Fn::ImportValue (another stack's output)"}, nil
	case "Fn::GetAZs", "Fn::Cidr", "Fn::GetParam", "Fn::Transform":
		return unknown{why: name}, nil
	case "Fn::Sub":
		return t.sub(n, arg)
	case "Fn::Join":
		if arg.Kind != yaml.SequenceNode || len(arg.Content) != 2 {
			return nil, errAt(n, "Fn::Join: want [delimiter, [values]]")
		}
		delim := deref(arg.Content[0]).Value
		list, err := t.eval(arg.Content[1])
		if err != nil {
			return nil, err
		}
		items, ok := list.([]any)
		if !ok {
			return unknown{why: "Fn::Join over a list known only at deployment"}, nil
		}
		var parts []any
		for i, it := range items {
			if i > 0 {
				parts = append(parts, delim)
			}
			parts = append(parts, it)
		}
		return partial("Fn::Join", parts), nil
	case "Fn::Select":
		if arg.Kind != yaml.SequenceNode || len(arg.Content) != 2 {
			return nil, errAt(n, "Fn::Select: want [index, [values]]")
		}
		idx, err := t.eval(arg.Content[0])
		if err != nil {
			return nil, err
		}
		list, err := t.eval(arg.Content[1])
		if err != nil {
			return nil, err
		}
		i, iok := toInt(idx)
		items, lok := list.([]any)
		if !iok || !lok {
			return unknown{why: "Fn::Select over a value known only at deployment"}, nil
		}
		if i < 0 || i >= len(items) {
			return nil, errAt(n, "Fn::Select: index %d outside a list of %d", i, len(items))
		}
		return items[i], nil
	case "Fn::Split":
		if arg.Kind != yaml.SequenceNode || len(arg.Content) != 2 {
			return nil, errAt(n, "Fn::Split: want [delimiter, string]")
		}
		s, err := t.eval(arg.Content[1])
		if err != nil {
			return nil, err
		}
		str, ok := s.(string)
		if !ok {
			return unknown{why: "Fn::Split of a value known only at deployment"}, nil
		}
		var out []any
		for _, p := range strings.Split(str, deref(arg.Content[0]).Value) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::Base64":
		s, err := t.eval(arg)
		if err != nil {
			return nil, err
		}
		if str, ok := s.(string); ok {
			return base64.StdEncoding.EncodeToString([]byte(str)), nil
		}
		return unknown{why: "Fn::Base64 of a value known only at deployment"}, nil
	case "Fn::ToJsonString":
		v, err := t.eval(arg)
		if err != nil {
			return nil, err
		}
		if hasOpen(v) {
			return unknown{why: "Fn::ToJsonString of a value known only at deployment"}, nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, errAt(n, "Fn::ToJsonString: %v", err)
		}
		return string(b), nil
	case "Fn::Length":
		v, err := t.eval(arg)
		if err != nil {
			return nil, err
		}
		if l, ok := v.([]any); ok {
			return int64(len(l)), nil
		}
		return unknown{why: "Fn::Length of a list known only at deployment"}, nil
	case "Fn::FindInMap":
		return t.findInMap(n, arg)
	case "Fn::If":
		if arg.Kind != yaml.SequenceNode || len(arg.Content) != 3 {
			return nil, errAt(n, "Fn::If: want [condition, value if true, value if false]")
		}
		cond := deref(arg.Content[0]).Value
		v, err := t.condition(cond, 0)
		if err != nil {
			return nil, err
		}
		switch v {
		case isTrue:
			return t.eval(arg.Content[1])
		case isFalse:
			return t.eval(arg.Content[2])
		}
		a, err := t.eval(arg.Content[1])
		if err != nil {
			return nil, err
		}
		b, err := t.eval(arg.Content[2])
		if err != nil {
			return nil, err
		}
		c := choice{cond: cond, line: n.Line, col: n.Column}
		_, c.thenAbsent = a.(noValue)
		_, c.elsAbsent = b.(noValue)
		if !c.thenAbsent {
			c.then = a
		}
		if !c.elsAbsent {
			c.els = b
		}
		return c, nil
	}
	return nil, errAt(n, "unsupported intrinsic function %s", name)
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int64:
		return int(x), true
	case float64:
		return int(x), true
	case string:
		i, err := strconv.Atoi(x)
		return i, err == nil
	}
	return 0, false
}

// hasOpen reports whether a value holds anything the template leaves open.
func hasOpen(v any) bool {
	switch x := v.(type) {
	case unknown, choice:
		return true
	case map[string]any:
		for _, e := range x {
			if hasOpen(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasOpen(e) {
				return true
			}
		}
	}
	return false
}

func (t *template) pseudo(name string) (any, bool) {
	switch name {
	case "AWS::NoValue":
		return noValue{}, true
	case "AWS::AccountId":
		if t.account != "" {
			return t.account, true
		}
		return unknown{why: "AWS::AccountId", probes: accountProbes}, true
	case "AWS::Region":
		if t.region != "" {
			return t.region, true
		}
		return unknown{why: "AWS::Region", probes: regionProbes}, true
	case "AWS::Partition":
		if strings.HasPrefix(t.region, "cn-") {
			return "aws-cn", true
		}
		if t.region != "" {
			return "aws", true
		}
		return unknown{why: "AWS::Partition", probes: []any{"aws", "aws", "aws-cn"}}, true
	case "AWS::URLSuffix":
		if strings.HasPrefix(t.region, "cn-") {
			return "amazonaws.com.cn", true
		}
		if t.region != "" {
			return "amazonaws.com", true
		}
		return unknown{why: "AWS::URLSuffix", probes: []any{"amazonaws.com", "amazonaws.com", "amazonaws.com.cn"}}, true
	case "AWS::StackName", "AWS::StackId", "AWS::NotificationARNs":
		return unknown{why: name}, true
	}
	return nil, false
}

func (t *template) ref(arg *yaml.Node) (any, error) {
	name := arg.Value
	if v, ok := t.pseudo(name); ok {
		return v, nil
	}
	if p, ok := t.params[name]; ok {
		def := member(p, "Default")
		if def == nil {
			return unknown{why: "parameter " + name + " (no default)"}, nil
		}
		v, err := t.eval(def)
		if err != nil {
			return nil, err
		}
		ty := ""
		if n := member(p, "Type"); n != nil {
			ty = n.Value
		}
		if s, ok := v.(string); ok && (ty == "CommaDelimitedList" || strings.HasPrefix(ty, "List<")) {
			var out []any
			for _, e := range strings.Split(s, ",") {
				out = append(out, strings.TrimSpace(e))
			}
			return out, nil
		}
		if strings.HasPrefix(ty, "AWS::SSM::Parameter::Value") {
			return unknown{why: "parameter " + name + " (read from SSM at deployment)"}, nil
		}
		return v, nil
	}
	if _, ok := t.resources[name]; ok {
		return unknown{why: "Ref " + name}, nil
	}
	return nil, errAt(arg, "Ref to %q, which is no parameter or resource of the template", name)
}

func (t *template) getAtt(target, attr string) any {
	if t.types[target] == "AWS::ECR::Repository" && attr == "RepositoryUri" {
		name := target
		if n := member(member(t.resources[target], "Properties"), "RepositoryName"); n != nil {
			if v, err := t.eval(n); err == nil {
				if s, ok := v.(string); ok {
					name = s
				}
			}
		}
		return unknown{why: "Fn::GetAtt " + target + "." + attr, probes: ecrURIProbes(strings.ToLower(name))}
	}
	if t.types[target] == "AWS::IAM::Role" && attr == "Arn" {
		// Which role is known, if not its ARN: the same role gives the same ARN, two roles two ARNs.
		return unknown{why: "Fn::GetAtt " + target + "." + attr, probes: []any{"arn:aws:iam::111122223333:role/" + target}}
	}
	return unknown{why: "Fn::GetAtt " + target + "." + attr}
}

// sub resolves Fn::Sub: ${Name} is a variable, parameter, pseudo parameter or resource; ${Res.Attr} an attribute;
// ${!Literal} is written as ${Literal}.
func (t *template) sub(n, arg *yaml.Node) (any, error) {
	var format string
	vars := map[string]any{}
	switch arg.Kind {
	case yaml.ScalarNode:
		format = arg.Value
	case yaml.SequenceNode:
		if len(arg.Content) != 2 {
			return nil, errAt(n, "Fn::Sub: want a string or [string, {variables}]")
		}
		format = deref(arg.Content[0]).Value
		for _, kv := range members(arg.Content[1]) {
			v, err := t.eval(kv[1])
			if err != nil {
				return nil, err
			}
			vars[kv[0].Value] = v
		}
	default:
		return nil, errAt(n, "Fn::Sub: want a string or [string, {variables}]")
	}
	var parts []any
	rest := format
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			parts = append(parts, rest)
			break
		}
		parts = append(parts, rest[:i])
		j := strings.Index(rest[i:], "}")
		if j < 0 {
			return nil, errAt(n, "Fn::Sub: unclosed ${ in %q", format)
		}
		name := strings.TrimSpace(rest[i+2 : i+j])
		rest = rest[i+j+1:]
		if strings.HasPrefix(name, "!") {
			parts = append(parts, "${"+name[1:]+"}")
			continue
		}
		if v, ok := vars[name]; ok {
			parts = append(parts, v)
			continue
		}
		if target, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
			parts = append(parts, t.getAtt(target, attr))
			continue
		}
		v, err := t.ref(&yaml.Node{Kind: yaml.ScalarNode, Value: name, Line: n.Line, Column: n.Column})
		if err != nil {
			return nil, err
		}
		parts = append(parts, v)
	}
	return partial("Fn::Sub", parts), nil
}

func (t *template) findInMap(n, arg *yaml.Node) (any, error) {
	if arg.Kind != yaml.SequenceNode || len(arg.Content) < 3 {
		return nil, errAt(n, "Fn::FindInMap: want [map, key, key]")
	}
	keys := make([]string, 3)
	for i := range 3 {
		v, err := t.eval(arg.Content[i])
		if err != nil {
			return nil, err
		}
		s, ok := v.(string)
		if !ok {
			if _, open := v.(unknown); open || hasOpen(v) {
				return unknown{why: "Fn::FindInMap with a key known only at deployment"}, nil
			}
			s = scalarString(v)
		}
		keys[i] = s
	}
	v := member(member(member(t.mappings, keys[0]), keys[1]), keys[2])
	if v == nil {
		if len(arg.Content) == 4 {
			if d := member(arg.Content[3], "DefaultValue"); d != nil {
				return t.eval(d)
			}
		}
		return nil, errAt(n, "Fn::FindInMap: the mapping has no %s/%s/%s", keys[0], keys[1], keys[2])
	}
	return t.eval(v)
}

// condition evaluates a named condition.
func (t *template) condition(name string, depth int) (tri, error) {
	if v, ok := t.condCache[name]; ok {
		return v, nil
	}
	n, ok := t.conditions[name]
	if !ok {
		return undecided, fmt.Errorf("condition %q is not defined in Conditions", name)
	}
	if depth > 50 || t.condActive[name] {
		return undecided, errAt(n, "condition %q refers to itself", name)
	}
	t.condActive[name] = true
	defer delete(t.condActive, name)
	if t.budget--; t.budget < 0 {
		return undecided, errAt(n, "the template expands to more than %d values (YAML aliases?)", maxNodes)
	}
	v, err := t.cond(n, depth+1)
	if err != nil {
		return undecided, err
	}
	t.condCache[name] = v
	return v, nil
}

func (t *template) cond(n *yaml.Node, depth int) (tri, error) {
	n = deref(n)
	if t.budget--; t.budget < 0 || depth > 1000 {
		return undecided, errAt(n, "the conditions expand to more than %d values (YAML aliases?)", maxNodes)
	}
	name, arg, ok := intrinsic(n)
	if !ok {
		return undecided, errAt(n, "want a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition)")
	}
	arg = deref(arg)
	switch name {
	case "Condition":
		return t.condition(arg.Value, depth)
	case "Fn::Equals":
		if arg.Kind != yaml.SequenceNode || len(arg.Content) != 2 {
			return undecided, errAt(n, "Fn::Equals: want [value, value]")
		}
		a, err := t.eval(arg.Content[0])
		if err != nil {
			return undecided, err
		}
		b, err := t.eval(arg.Content[1])
		if err != nil {
			return undecided, err
		}
		if hasOpen(a) || hasOpen(b) {
			return undecided, nil
		}
		if scalarString(a) == scalarString(b) {
			return isTrue, nil
		}
		return isFalse, nil
	case "Fn::Not":
		if arg.Kind != yaml.SequenceNode || len(arg.Content) != 1 {
			return undecided, errAt(n, "Fn::Not: want [condition]")
		}
		v, err := t.cond(arg.Content[0], depth)
		switch v {
		case isTrue:
			return isFalse, err
		case isFalse:
			return isTrue, err
		}
		return undecided, err
	case "Fn::And", "Fn::Or":
		if arg.Kind != yaml.SequenceNode {
			return undecided, errAt(n, "%s: want a list of conditions", name)
		}
		and := name == "Fn::And"
		result := isTrue
		if !and {
			result = isFalse
		}
		for _, c := range arg.Content {
			v, err := t.cond(c, depth)
			if err != nil {
				return undecided, err
			}
			switch {
			case and && v == isFalse:
				return isFalse, nil
			case !and && v == isTrue:
				return isTrue, nil
			case v == undecided:
				result = undecided
			}
		}
		return result, nil
	}
	return undecided, errAt(n, "%s is not a condition function", name)
}

// locate finds the node of a property at path (API member names, any case; list indices) below n: the key naming the
// deepest member found, or n itself. It stops at an intrinsic function, whose value is computed.
func locate(n *yaml.Node, path []string) *yaml.Node {
	at := n
	cur := deref(n)
	for _, seg := range path {
		if cur == nil {
			break
		}
		if _, _, ok := intrinsic(cur); ok {
			break
		}
		switch cur.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for _, kv := range members(cur) {
				if norm(kv[0].Value) == norm(seg) {
					at, next = kv[0], kv[1]
					break
				}
			}
			if next == nil {
				return at
			}
			cur = deref(next)
		case yaml.SequenceNode:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(cur.Content) {
				return at
			}
			cur = deref(cur.Content[i])
			at = cur
		default:
			return at
		}
	}
	return at
}
