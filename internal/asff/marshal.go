package asff

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
)

// The JSON form of a finding: the SDK's Go field names are the ASFF member names (its serializer writes each field
// under its own name), so a finding is turned into maps and lists keyed by those names, with every member that
// says nothing left out: nil, an empty string, list or object, or a zero scalar that was not behind a pointer (the
// SDK's non-pointer enums and counts mean "unset" when zero). encoding/json writes the maps with their keys in
// name order.

// Marshal renders findings as the JSON `aws securityhub batch-import-findings --findings file://x.json` accepts:
// a list of findings, indented by two spaces.
func Marshal(fs []types.AwsSecurityFinding) ([]byte, error) {
	var l List
	for i := range fs {
		l.Append(&fs[i])
	}
	return l.Close(), nil
}

// List writes findings one at a time as the list Marshal writes: Append each, then Close.
type List struct {
	buf bytes.Buffer
	n   int
}

// Append adds a finding to the list.
func (l *List) Append(f *types.AwsSecurityFinding) {
	if l.n == 0 {
		l.buf.WriteString("[\n  ")
	} else {
		l.buf.WriteString(",\n  ")
	}
	l.n++
	enc := json.NewEncoder(&l.buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("  ", "  ")
	_ = enc.Encode(plainFinding(f)) // maps, lists, strings, finite numbers and booleans always encode
	l.buf.Truncate(l.buf.Len() - 1) // Encode ends with a newline
}

// Bytes returns what Append and Close have written since the last Reset, for a caller that writes the list out
// as it goes.
func (l *List) Bytes() []byte { return l.buf.Bytes() }

// Reset forgets what was written, keeping the list's place (the next Append writes a separator).
func (l *List) Reset() { l.buf.Reset() }

// Close ends the list and returns what is left to write.
func (l *List) Close() []byte {
	if l.n == 0 {
		l.buf.WriteString("[]\n")
	} else {
		l.buf.WriteString("\n]\n")
	}
	return l.buf.Bytes()
}

// Size returns the size in bytes of one finding as compact JSON (with <, > and & escaped, as json.Marshal writes
// them), to compare with MaxFindingSize.
func Size(f types.AwsSecurityFinding) int {
	data, _ := json.Marshal(plainFinding(&f)) // always encodes, as in Append
	return len(data)
}

// plainFinding is the JSON form of f; an empty finding is an empty object.
func plainFinding(f *types.AwsSecurityFinding) any {
	v, ok := plain(reflect.ValueOf(f).Elem(), false)
	if !ok {
		return map[string]any{}
	}
	return v
}

// plain turns v into maps, lists and scalars keyed by Go field name and reports whether it says anything: false
// for nil, an empty string, list or object, and a zero scalar not behind a pointer (a member to leave out).
func plain(v reflect.Value, viaPointer bool) (any, bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, false
		}
		return plain(v.Elem(), true)
	case reflect.Struct:
		m := map[string]any{}
		t := v.Type()
		for i := range t.NumField() {
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
		for i := range v.Len() {
			if x, ok := plain(v.Index(i), false); ok {
				list = append(list, x)
			}
		}
		return list, len(list) > 0
	case reflect.Map:
		m := map[string]any{}
		iter := v.MapRange()
		for iter.Next() {
			if x, ok := plain(iter.Value(), false); ok && iter.Key().String() != "" {
				m[iter.Key().String()] = x
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
		// encoding/json writes no number for NaN or an infinity: such a member is left out.
		x := v.Float()
		return x, (viaPointer || x != 0) && !math.IsNaN(x) && !math.IsInf(x, 0)
	}
	return nil, false
}
