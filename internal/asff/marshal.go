package asff

import (
	"encoding/binary"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
)

// The JSON form of a finding: the SDK's Go field names are the ASFF member names (its serializer writes each field
// under its own name), so a finding is written field by field under those names, with every member that says
// nothing left out: nil, an empty string, list or object, or a zero scalar that was not behind a pointer (the
// SDK's non-pointer enums and counts mean "unset" when zero). Members are written in name order, as encoding/json
// orders the keys of a map: the output is what encoding/json writes for the finding turned into maps and lists
// (marshal_test.go holds it to that).

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
	buf []byte
	n   int
	// details, when set, keeps the text of the last resource details written, to write it again for the next
	// finding that holds the same details (see Resources): the details must not change between Appends.
	details *sharedDetails
}

// Append adds a finding to the list.
func (l *List) Append(f *types.AwsSecurityFinding) {
	e := encoder{indent: true, details: l.details}
	if l.details != nil {
		l.details.prepare(f)
	}
	if l.n == 0 {
		l.buf = append(l.buf, '[')
	} else {
		l.buf = append(l.buf, ',')
	}
	l.n++
	buf, ok := e.value(e.newline(l.buf, 1), reflect.ValueOf(f).Elem(), false, 1)
	if !ok {
		buf = append(buf, "{}"...)
	}
	l.buf = buf
}

// Bytes returns what Append and Close have written since the last Reset, for a caller that writes the list out
// as it goes.
func (l *List) Bytes() []byte { return l.buf }

// Reset forgets what was written, keeping the list's place (the next Append writes a separator).
func (l *List) Reset() { l.buf = l.buf[:0] }

// Close ends the list and returns what is left to write.
func (l *List) Close() []byte {
	if l.n == 0 {
		l.buf = append(l.buf, "[]\n"...)
	} else {
		l.buf = append(encoder{indent: true}.newline(l.buf, 0), "]\n"...)
	}
	return l.buf
}

// Size returns the size in bytes of one finding as compact JSON (with <, > and & escaped, as json.Marshal writes
// them), to compare with MaxFindingSize.
func Size(f types.AwsSecurityFinding) int {
	var scratch [8 << 10]byte
	buf, ok := encoder{html: true}.value(scratch[:0], reflect.ValueOf(&f).Elem(), false, 0)
	if !ok {
		return len("{}")
	}
	return len(buf)
}

// encoder writes values as compact JSON, or indented by two spaces per level, appending to a buffer.
type encoder struct {
	indent bool
	// html escapes <, > and &, as json.Marshal does; the list Marshal writes leaves them.
	html bool
	// details, when not nil, writes resource details it has written before by copying their text.
	details *sharedDetails
}

// sharedDetails is the text of the last resource details a List wrote, at the depth a finding's details are in it.
type sharedDetails struct {
	ptr  *types.ResourceDetails
	text []byte
	ok   bool
}

// detailsDepth is the depth of a finding's resource details in a List: list, finding, Resources, resource, Details.
const detailsDepth = 4

var detailsType = reflect.TypeFor[*types.ResourceDetails]()

// prepare keeps the text of the details of f's resource, unless they are the ones kept already. It is called before
// the finding is written, outside the encoder's recursion, so that the encoder's buffers never flow into s (Size's
// stays on the stack).
func (s *sharedDetails) prepare(f *types.AwsSecurityFinding) {
	if len(f.Resources) == 0 || f.Resources[0].Details == nil || f.Resources[0].Details == s.ptr {
		return
	}
	d := f.Resources[0].Details
	s.text, s.ok = encoder{indent: true}.value(s.text[:0], reflect.ValueOf(d), false, detailsDepth)
	s.ptr = d
}

// write appends the details v points to from the kept text, and reports false when it holds other details.
func (s *sharedDetails) write(buf []byte, v reflect.Value, depth int) ([]byte, bool, bool) {
	if depth != detailsDepth || v.Interface().(*types.ResourceDetails) != s.ptr || s.ptr == nil {
		return buf, false, false
	}
	if !s.ok {
		return buf, false, true
	}
	return append(buf, s.text...), true, true
}

func (e encoder) newline(buf []byte, depth int) []byte {
	if e.indent {
		buf = append(buf, '\n')
		for range depth {
			buf = append(buf, "  "...)
		}
	}
	return buf
}

// value appends v at the given depth and reports whether it did: on false (a member to leave out) buf is
// returned as it was.
func (e encoder) value(buf []byte, v reflect.Value, viaPointer bool, depth int) ([]byte, bool) {
	start := len(buf)
	var ok bool
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if e.details != nil && v.Type() == detailsType {
			if out, ok, done := e.details.write(buf, v, depth); done {
				return out, ok
			}
		}
		if v.IsNil() {
			return buf, false
		}
		return e.value(buf, v.Elem(), true, depth)
	case reflect.Struct:
		buf = append(buf, '{')
		n := 0
		for _, fl := range fieldsOf(v.Type()) {
			mark := len(buf)
			if n > 0 {
				buf = append(buf, ',')
			}
			if buf, ok = e.value(e.key(e.newline(buf, depth+1), fl.name), v.Field(fl.index), false, depth+1); !ok {
				buf = buf[:mark]
				continue
			}
			n++
		}
		return e.close(buf, start, n, '}', depth)
	case reflect.Slice, reflect.Array:
		buf = append(buf, '[')
		n := 0
		for i := range v.Len() {
			mark := len(buf)
			if n > 0 {
				buf = append(buf, ',')
			}
			if buf, ok = e.value(e.newline(buf, depth+1), v.Index(i), false, depth+1); !ok {
				buf = buf[:mark]
				continue
			}
			n++
		}
		return e.close(buf, start, n, ']', depth)
	case reflect.Map:
		keys := make([]string, 0, v.Len())
		for _, k := range v.MapKeys() {
			if k.String() != "" {
				keys = append(keys, k.String())
			}
		}
		slices.Sort(keys)
		buf = append(buf, '{')
		n := 0
		for _, k := range keys {
			mark := len(buf)
			if n > 0 {
				buf = append(buf, ',')
			}
			val := v.MapIndex(reflect.ValueOf(k).Convert(v.Type().Key()))
			if buf, ok = e.value(e.key(e.newline(buf, depth+1), k), val, false, depth+1); !ok {
				buf = buf[:mark]
				continue
			}
			n++
		}
		return e.close(buf, start, n, '}', depth)
	case reflect.String:
		if v.Len() == 0 {
			return buf, false
		}
		return e.str(buf, v.String()), true
	case reflect.Bool:
		if !viaPointer && !v.Bool() {
			return buf, false
		}
		return strconv.AppendBool(buf, v.Bool()), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if !viaPointer && v.Int() == 0 {
			return buf, false
		}
		return strconv.AppendInt(buf, v.Int(), 10), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if !viaPointer && v.Uint() == 0 {
			return buf, false
		}
		return strconv.AppendUint(buf, v.Uint(), 10), true
	case reflect.Float32, reflect.Float64:
		if !viaPointer && v.Float() == 0 {
			return buf, false
		}
		// encoding/json's float format has its own rules (exponents, -0); floats are rare in a finding.
		data, err := json.Marshal(v.Float())
		if err != nil {
			return buf, false // NaN or an infinity: encoding/json writes no number for them either
		}
		return append(buf, data...), true
	}
	return buf, false
}

// close ends an object or list of n members begun at start, or takes it back when it has none.
func (e encoder) close(buf []byte, start, n int, c byte, depth int) ([]byte, bool) {
	if n == 0 {
		return buf[:start], false
	}
	return append(e.newline(buf, depth), c), true
}

func (e encoder) key(buf []byte, k string) []byte {
	buf = append(e.str(buf, k), ':')
	if e.indent {
		buf = append(buf, ' ')
	}
	return buf
}

// str appends s as a JSON string. Plain text is written as it is; anything encoding/json escapes goes through it.
func (e encoder) str(buf []byte, s string) []byte {
	if e.escapes(s) {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(e.html)
		_ = enc.Encode(s) // a string always encodes
		return append(buf, strings.TrimSuffix(b.String(), "\n")...)
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}

// escapes reports whether encoding/json writes s otherwise than as its bytes between quotes: s holds a control
// byte, a quote, a backslash or a byte outside ASCII (invalid UTF-8, U+2028 and U+2029 are escaped), or, for html,
// <, > or &. It reads eight bytes at a time.
func (e encoder) escapes(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	// has reports whether a byte of w equals c; below whether one is less than 0x20. Both are exact: a borrow only
	// flags bytes above one that is flagged already.
	has := func(w uint64, c byte) bool { x := w ^ (uint64(c) * ones); return (x-ones)&^x&highs != 0 }
	for len(s) >= 8 {
		w := binary.LittleEndian.Uint64([]byte(s[:8]))
		below := (w-0x20*ones)&^w&highs != 0
		if below || w&highs != 0 || has(w, '"') || has(w, '\\') || e.html && (has(w, '<') || has(w, '>') || has(w, '&')) {
			return true
		}
		s = s[8:]
	}
	for i := range len(s) {
		if c := s[i]; c < ' ' || c == '"' || c == '\\' || c >= utf8.RuneSelf || e.html && (c == '<' || c == '>' || c == '&') {
			return true
		}
	}
	return false
}

type field struct {
	name  string
	index int
}

// fields caches each struct type's exported fields in name order.
var fields sync.Map // reflect.Type → []field

func fieldsOf(t reflect.Type) []field {
	if fs, ok := fields.Load(t); ok {
		return fs.([]field)
	}
	var fs []field
	for i := range t.NumField() {
		if t.Field(i).IsExported() {
			fs = append(fs, field{t.Field(i).Name, i})
		}
	}
	slices.SortFunc(fs, func(a, b field) int { return strings.Compare(a.name, b.name) })
	fields.Store(t, fs)
	return fs
}
