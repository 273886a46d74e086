package template

// noValue is the value of {"Ref": "AWS::NoValue"} while resolving: the member or list item holding it is dropped.
type noValue struct{}

// Resolve returns v with every Fn::If decided (a condition not in conds counts as true: the widest grant, the
// most resources) and every member or item that is !Ref AWS::NoValue removed, as CloudFormation does on deployment.
// Refs to parameters and pseudo parameters in refs are replaced by their values; other intrinsics stay as they are.
func Resolve(v any, conds map[string]bool, refs map[string]any) any {
	r := resolve(v, conds, refs)
	if _, ok := r.(noValue); ok {
		return nil
	}
	return r
}

func resolve(v any, conds map[string]bool, refs map[string]any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			if args, ok := x["Fn::If"].([]any); ok && len(args) == 3 {
				name, _ := args[0].(string)
				on, known := conds[name]
				if !known || on {
					return resolve(args[1], conds, refs)
				}
				return resolve(args[2], conds, refs)
			}
			if ref, ok := x["Ref"].(string); ok {
				if ref == "AWS::NoValue" {
					return noValue{}
				}
				if val, ok := refs[ref]; ok {
					return val
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, m := range x {
			if r := resolve(m, conds, refs); r != (noValue{}) {
				out[k] = r
			}
		}
		return out
	case []any:
		out := make([]any, 0, len(x))
		for _, m := range x {
			if r := resolve(m, conds, refs); r != (noValue{}) {
				out = append(out, r)
			}
		}
		return out
	}
	return v
}
