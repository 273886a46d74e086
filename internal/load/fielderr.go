package load

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// FieldError is one known field of a task definition whose value the API model refuses: a value outside the
// field's enumeration, or a value of the wrong JSON type. The rest of the task definition is still read.
type FieldError struct {
	// Path is the field's path inside the resource, as findings give it ("containerDefinitions/0/portMappings/0/protocol").
	Path         string
	Line, Column int
	Msg          string
}

func (e FieldError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s: %s", e.Line, e.Column, e.Path, e.Msg)
}

// typeError is the located message of an encoding/json type error that keeps the error itself, so a task
// definition's reader can go on with the rest of the document.
type typeError struct {
	msg string
	te  *json.UnmarshalTypeError
}

func (e *typeError) Error() string { return e.msg }
func (e *typeError) Unwrap() error { return e.te }

// fieldProblem is a value validateTask refuses, named by its path segments below the task definition.
type fieldProblem struct {
	path []string
	msg  string
}

// locateTypeError finds the value an encoding/json type error is about inside raw, the task definition's text, and
// returns it as a FieldError. encoding/json gives the field's path without list indices and the offset at which
// it met the value; the value is the last one at or before that offset whose path, indices left out, is the same.
func (d *doc) locateTypeError(raw []byte, base int64, te *json.UnmarshalTypeError) FieldError {
	// taskJSON embeds the SDK type, whose name encoding/json puts first in the path.
	want := strings.TrimPrefix(strings.ToLower(strings.ReplaceAll(te.Field, ".", "/")), "taskdefinition/")
	path, off := "", int64(-1)
	visitValues(raw, func(segs []string, start int64) bool {
		if start > te.Offset {
			return false
		}
		if strings.EqualFold(withoutIndices(segs), want) {
			path, off = strings.Join(segs, "/"), start
		}
		return true
	})
	if off < 0 {
		path, off = want, te.Offset
	}
	l, c := position(d.data, base+off)
	return FieldError{Path: path, Line: l, Column: c, Msg: fmt.Sprintf("want %s, got JSON %s", goTypeName(te.Type.String()), te.Value)}
}

// locateProblem places a value validateTask refused inside raw, the task definition's text.
func (d *doc) locateProblem(raw []byte, base int64, p fieldProblem) FieldError {
	want := strings.Join(p.path, "/")
	path, off := want, int64(0)
	visitValues(raw, func(segs []string, start int64) bool {
		if strings.EqualFold(strings.Join(segs, "/"), want) {
			path, off = strings.Join(segs, "/"), start
			return false
		}
		return true
	})
	l, c := position(d.data, base+off)
	return FieldError{Path: path, Line: l, Column: c, Msg: p.msg}
}

func withoutIndices(segs []string) string {
	var kept []string
	for _, s := range segs {
		if _, err := strconv.Atoi(s); err != nil {
			kept = append(kept, s)
		}
	}
	return strings.Join(kept, "/")
}

// visitValues calls visit with the path (object keys as written, list indices) and start offset of every value in
// the JSON document raw, in document order, until visit returns false. raw is valid JSON: the reader has decoded
// it already.
func visitValues(raw []byte, visit func(path []string, start int64) bool) {
	type frame struct {
		list  bool
		index int
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	var stack []frame
	var path []string
	wantKey := false
	// finish ends the value whose segment is last on path and moves its container on to the next.
	finish := func() {
		if len(stack) == 0 {
			return
		}
		path = path[:len(path)-1]
		top := &stack[len(stack)-1]
		top.index++
		wantKey = !top.list
	}
	for {
		start := dec.InputOffset()
		for start < int64(len(raw)) && strings.IndexByte(" \t\r\n:,", raw[start]) >= 0 {
			start++
		}
		tok, err := dec.Token()
		if err != nil {
			return
		}
		if dl, ok := tok.(json.Delim); ok && (dl == '}' || dl == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return
			}
			finish()
			continue
		}
		if wantKey {
			key, _ := tok.(string)
			path = append(path, key)
			wantKey = false
			continue
		}
		if n := len(stack); n > 0 && stack[n-1].list {
			path = append(path, strconv.Itoa(stack[n-1].index))
		}
		if !visit(path, start) {
			return
		}
		if dl, ok := tok.(json.Delim); ok {
			stack = append(stack, frame{list: dl == '['})
			wantKey = dl == '{'
			continue
		}
		if len(stack) == 0 {
			return
		}
		finish()
	}
}
