package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// flexTime decodes the timestamp shapes found in the wild: epoch seconds (as the AWS CLI prints them), RFC 3339
// strings, and the {"__class__": "datetime", ...} objects of recorded boto3 responses.
type flexTime struct{ t *time.Time }

func (f *flexTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		f.t = nil
		return nil
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			return nil
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05", "2006-01-02"} {
			if t, err := time.Parse(layout, s); err == nil {
				f.t = &t
				return nil
			}
		}
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			t := epoch(n)
			f.t = &t
			return nil
		}
		return fmt.Errorf("timestamp %q is neither RFC 3339 nor epoch seconds", s)
	case '{':
		var d struct {
			Class                                               string `json:"__class__"`
			Year, Month, Day, Hour, Minute, Second, Microsecond int
		}
		if err := json.Unmarshal(b, &d); err != nil {
			return err
		}
		if d.Class != "datetime" || d.Year == 0 {
			return fmt.Errorf("timestamp object is not a recorded datetime")
		}
		t := time.Date(d.Year, time.Month(d.Month), d.Day, d.Hour, d.Minute, d.Second, d.Microsecond*1000, time.UTC)
		f.t = &t
		return nil
	default:
		n, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return fmt.Errorf("timestamp %s is not a number", b)
		}
		t := epoch(n)
		f.t = &t
		return nil
	}
}

func epoch(n float64) time.Time {
	// Values this large are epoch milliseconds (some tools print those).
	if n > 1e11 {
		n /= 1000
	}
	sec := int64(n)
	return time.Unix(sec, int64((n-float64(sec))*1e9)).UTC()
}

// flexString accepts a string or a number (CloudFormation and Terraform write task cpu and memory as numbers).
type flexString struct{ s *string }

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		f.s = nil
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		f.s = &s
		return nil
	}
	if _, err := strconv.ParseFloat(string(b), 64); err != nil {
		return fmt.Errorf("want a string or a number, got %s", b)
	}
	s := string(b)
	f.s = &s
	return nil
}

// tagList accepts tags as a list of {key, value} (any case) or as a {"key": "value"} map.
type tagList map[string]string

func (t *tagList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	m := map[string]string{}
	if len(b) > 0 && b[0] == '{' {
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		*t = m
		return nil
	}
	var list []struct{ Key, Value *string }
	if err := json.Unmarshal(b, &list); err != nil {
		return errors.New("tags: want a list of {key, value} or a map")
	}
	for _, e := range list {
		if e.Key == nil {
			continue
		}
		v := ""
		if e.Value != nil {
			v = *e.Value
		}
		m[*e.Key] = v
	}
	*t = m
	return nil
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	line = 1 + bytes.Count(data[:offset], []byte("\n"))
	col = int(offset) - bytes.LastIndexByte(data[:offset], '\n')
	return line, col
}

// describeJSONError turns an encoding/json error into a message with line and column.
func describeJSONError(data []byte, base int64, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case asErr(err, &se):
		l, c := position(data, base+se.Offset)
		return fmt.Sprintf("line %d, column %d: invalid JSON: %s", l, c, se.Error())
	case asErr(err, &te):
		l, c := position(data, base+te.Offset)
		field := te.Field
		if field == "" {
			field = "value"
		}
		return fmt.Sprintf("line %d, column %d: %s: want %s, got JSON %s", l, c, lowerPath(field), goTypeName(te.Type.String()), te.Value)
	case err.Error() == "unexpected EOF":
		l, c := position(data, int64(len(data)))
		return fmt.Sprintf("line %d, column %d: invalid JSON: unexpected end of input (truncated file?)", l, c)
	}
	return err.Error()
}

func lowerPath(p string) string {
	parts := strings.Split(p, ".")
	for i, s := range parts {
		if s != "" {
			parts[i] = strings.ToLower(s[:1]) + s[1:]
		}
	}
	return strings.Join(parts, ".")
}

func goTypeName(t string) string {
	switch {
	case strings.Contains(t, "int"), strings.Contains(t, "float"):
		return "a number"
	case strings.Contains(t, "bool"):
		return "true or false"
	case strings.HasPrefix(t, "[]"), strings.HasPrefix(t, "*[]"):
		return "a list"
	case strings.Contains(t, "string"):
		return "a string"
	case strings.HasPrefix(t, "map"):
		return "an object"
	}
	return "an object"
}
