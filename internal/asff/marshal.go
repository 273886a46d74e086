package asff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
)

// Marshal renders findings as the JSON `aws securityhub batch-import-findings --findings file://x.json` accepts:
// a list of findings with ASFF field names and no null or empty members.
func Marshal(fs []types.AwsSecurityFinding) ([]byte, error) {
	list := make([]any, 0, len(fs))
	for i := range fs {
		v, _ := plain(reflect.ValueOf(fs[i]), false)
		if v == nil {
			v = map[string]any{}
		}
		list = append(list, v)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(list); err != nil {
		return nil, fmt.Errorf("encode findings: %w", err)
	}
	return buf.Bytes(), nil
}

// Size returns the size in bytes of one finding as compact JSON, to compare with MaxFindingSize.
func Size(f types.AwsSecurityFinding) int {
	v, _ := plain(reflect.ValueOf(f), false)
	// A tree of maps, slices, strings, numbers and booleans always encodes.
	b, _ := json.Marshal(v)
	return len(b)
}

// plain turns an SDK value into maps, slices and scalars keyed by Go field name. The SDK's Go field names are
// the ASFF member names (its serializer writes each field under its own name), so the result needs no mapping.
// ok is false for a member to leave out: nil, an empty string, list or object, or a zero scalar that was not
// behind a pointer (the SDK's non-pointer enums and counts mean "unset" when zero).
func plain(v reflect.Value, viaPointer bool) (out any, ok bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, false
		}
		return plain(v.Elem(), true)
	case reflect.Struct:
		m := map[string]any{}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			if !t.Field(i).IsExported() {
				continue
			}
			if x, ok := plain(v.Field(i), false); ok {
				m[t.Field(i).Name] = x
			}
		}
		return m, len(m) > 0
	case reflect.Slice, reflect.Array:
		var list []any
		for i := 0; i < v.Len(); i++ {
			if x, ok := plain(v.Index(i), false); ok {
				list = append(list, x)
			}
		}
		return list, len(list) > 0
	case reflect.Map:
		m := map[string]any{}
		iter := v.MapRange()
		for iter.Next() {
			k := iter.Key().String()
			if x, ok := plain(iter.Value(), false); ok && k != "" {
				m[k] = x
			}
		}
		return m, len(m) > 0
	case reflect.String:
		return v.String(), v.Len() > 0
	case reflect.Bool:
		return v.Bool(), viaPointer || v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), viaPointer || v.Int() != 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint(), viaPointer || v.Uint() != 0
	case reflect.Float32, reflect.Float64:
		return v.Float(), viaPointer || v.Float() != 0
	}
	return nil, false
}
