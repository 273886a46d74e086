package iac

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// A shaper rewrites a value tree into the JSON the AWS API takes for type t: keys matched to the SDK type's fields
// (in any case, underscores ignored, so CloudFormation's PascalCase and Terraform's snake_case both match),
// numbers and booleans written as strings coerced where the field wants them, single-element Terraform blocks
// unwrapped. What the file leaves open becomes a hole: the base document takes one value, each variant another.
type shaper struct {
	// renames maps "<SDK type>.<normalised key>" to the field it stands for where the file's names differ from the
	// API's.
	renames map[string]string
	holes   []hole
}

// hole is one value the file leaves open, at path (API field names) in the document.
type hole struct {
	path []string
	why  string
	// cond is set for an undecidable condition: alts[0] is the value when it is false (the base is true's).
	cond string
	alts []any // JSON-ready values; absent marks a removed field
	// opaque: no probe can stand for the value (a list or object known only at deployment).
	opaque bool
}

// absent stands for a field removed (AWS::NoValue in one branch, or no probe possible).
type absentT struct{}

var absent = absentT{}

var timeType = reflect.TypeOf(time.Time{})

func norm(k string) string { return strings.ToLower(strings.ReplaceAll(k, "_", "")) }

// fieldFor finds the field of struct type st a key names.
func (s *shaper) fieldFor(st reflect.Type, key string) (reflect.StructField, bool) {
	k := norm(key)
	if r, ok := s.renames[st.Name()+"."+k]; ok {
		k = norm(r)
	}
	for i := range st.NumField() {
		f := st.Field(i)
		if f.IsExported() && strings.ToLower(f.Name) == k {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// shape returns v written for type t at path.
func (s *shaper) shape(v any, t reflect.Type, path []string) (any, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch x := v.(type) {
	case unknown:
		alts, opaque := probesOf(x, t)
		s.holes = append(s.holes, hole{path: clone(path), why: x.why, alts: alts[1:], opaque: opaque})
		if opaque {
			return absent, nil
		}
		return alts[0], nil
	case choice:
		base, err := s.branch(x.then, x.thenAbsent, t, path)
		if err != nil {
			return nil, err
		}
		alt, err := s.branch(x.els, x.elsAbsent, t, nil)
		if err != nil {
			return nil, err
		}
		s.holes = append(s.holes, hole{path: clone(path), why: "condition " + x.cond, cond: x.cond, alts: []any{alt}})
		return base, nil
	}
	switch t.Kind() {
	case reflect.Struct:
		if t == timeType {
			return v, nil
		}
		if l, ok := v.([]any); ok && len(l) == 1 {
			v = l[0] // a Terraform block: a list of one object
		}
		if l, ok := v.([]any); ok && len(l) == 0 {
			return absent, nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, badValue(path, "want an object, got %s", describe(v))
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			f, ok := s.fieldFor(t, k)
			if !ok {
				continue // a property the audit does not read
			}
			sv, err := s.shape(e, f.Type, append(path, apiName(f.Name)))
			if err != nil {
				return nil, err
			}
			if sv != absent && sv != nil {
				out[f.Name] = sv
			}
		}
		return out, nil
	case reflect.Slice:
		if v == nil {
			return nil, nil
		}
		l, ok := v.([]any)
		if !ok {
			return nil, badValue(path, "want a list, got %s", describe(v))
		}
		out := make([]any, 0, len(l))
		for _, e := range l {
			sv, err := s.shape(e, t.Elem(), append(path, strconv.Itoa(len(out))))
			if err != nil {
				return nil, err
			}
			if sv != absent {
				out = append(out, sv)
			}
		}
		return out, nil
	case reflect.Map:
		if v == nil {
			return nil, nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, badValue(path, "want an object, got %s", describe(v))
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			sv, err := s.shape(e, t.Elem(), append(path, k))
			if err != nil {
				return nil, err
			}
			if sv != absent {
				out[k] = sv
			}
		}
		return out, nil
	case reflect.String:
		switch x := v.(type) {
		case nil, string:
			return v, nil
		case bool, int64, float64:
			return scalarString(x), nil
		}
		return nil, badValue(path, "want a string, got %s", describe(v))
	case reflect.Bool:
		switch x := v.(type) {
		case nil, bool:
			return v, nil
		case string:
			if b, err := strconv.ParseBool(x); err == nil {
				return b, nil
			}
		}
		return nil, badValue(path, "want true or false, got %s", describe(v))
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Float32, reflect.Float64:
		switch x := v.(type) {
		case nil, int64, float64:
			return v, nil
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				return f, nil
			}
		}
		return nil, badValue(path, "want a number, got %s", describe(v))
	case reflect.Interface:
		return v, nil
	}
	return v, nil
}

func (s *shaper) branch(v any, isAbsent bool, t reflect.Type, path []string) (any, error) {
	if isAbsent {
		return absent, nil
	}
	if path == nil {
		// An alternative's own open values are judged at their first probe: one hole at a time.
		sub := &shaper{renames: s.renames}
		return sub.shape(v, t, []string{})
	}
	return s.shape(v, t, path)
}

// probesOf picks the values an unknown of type t may take; the first becomes the base document's.
func probesOf(u unknown, t reflect.Type) ([]any, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		if len(u.probes) > 0 {
			return u.probes, false
		}
		if vals := enumValues(t); len(vals) > 0 {
			return vals, false
		}
		return genericStrings, false
	case reflect.Bool:
		return boolProbes, false
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Float32, reflect.Float64:
		return intProbes, false
	}
	return []any{absent}, true
}

// enumValues lists the values of an SDK enum type (its Values method), with absence.
func enumValues(t reflect.Type) []any {
	// The SDK's enumerations declare Values on the value; a method declared on the pointer needs a pointer receiver.
	recv := reflect.New(t).Elem()
	m, ok := t.MethodByName("Values")
	if !ok {
		if m, ok = reflect.PointerTo(t).MethodByName("Values"); !ok {
			return nil
		}
		recv = reflect.New(t)
	}
	out := m.Func.Call([]reflect.Value{recv})
	if len(out) != 1 || out[0].Kind() != reflect.Slice {
		return nil
	}
	vals := []any{nil}
	for i := range out[0].Len() {
		vals = append(vals, out[0].Index(i).String())
	}
	return vals
}

func clone(p []string) []string { return append([]string(nil), p...) }

// apiName writes a Go field name as the API's JSON member name (ContainerDefinitions -> containerDefinitions).
func apiName(goName string) string {
	if goName == "" {
		return goName
	}
	return strings.ToLower(goName[:1]) + goName[1:]
}

// shapeError is a value of the wrong type at path.
type shapeError struct {
	path []string
	msg  string
}

func (e *shapeError) Error() string { return where(e.path) + ": " + e.msg }

func badValue(path []string, format string, a ...any) error {
	return &shapeError{path: clone(path), msg: fmt.Sprintf(format, a...)}
}

func where(path []string) string {
	if len(path) == 0 {
		return "value"
	}
	return strings.Join(path, "/")
}

func describe(v any) string {
	switch x := v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return strconv.Quote(x)
	}
	return fmt.Sprint(v)
}
