package asff

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// referencePlain is the reference form of a finding: the SDK value turned into maps, slices and scalars keyed by Go field
// name, leaving out nil, empty strings, lists and objects, and zero scalars not behind a pointer. encoding/json
// over it gives what Marshal and Size must give.
func referencePlain(v reflect.Value, viaPointer bool) (out any, ok bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, false
		}
		return referencePlain(v.Elem(), true)
	case reflect.Struct:
		m := map[string]any{}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			if !t.Field(i).IsExported() {
				continue
			}
			if x, ok := referencePlain(v.Field(i), false); ok {
				m[t.Field(i).Name] = x
			}
		}
		return m, len(m) > 0
	case reflect.Slice, reflect.Array:
		var list []any
		for i := 0; i < v.Len(); i++ {
			if x, ok := referencePlain(v.Index(i), false); ok {
				list = append(list, x)
			}
		}
		return list, len(list) > 0
	case reflect.Map:
		m := map[string]any{}
		iter := v.MapRange()
		for iter.Next() {
			k := iter.Key().String()
			if x, ok := referencePlain(iter.Value(), false); ok && k != "" {
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

// referenceMarshal and referenceSize are Marshal and Size through plain and encoding/json.
func referenceMarshal(t *testing.T, fs []types.AwsSecurityFinding) []byte {
	t.Helper()
	list := make([]any, 0, len(fs))
	for i := range fs {
		v, _ := referencePlain(reflect.ValueOf(fs[i]), false)
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
		t.Fatal(err)
	}
	return buf.Bytes()
}

func referenceSize(f types.AwsSecurityFinding) int {
	v, _ := referencePlain(reflect.ValueOf(f), false)
	b, _ := json.Marshal(v)
	return len(b)
}

// TestMarshalMatchesReference holds Marshal and Size to encoding/json over plain for the findings of every corpus
// file that loads and for hand-made findings with what the corpus lacks: escapes, HTML characters, invalid UTF-8,
// floats, false and zero behind pointers, maps with empty keys and values, an empty finding.
func TestMarshalMatchesReference(t *testing.T) {
	var fs []types.AwsSecurityFinding
	eng := engine.New(catalog.Default(), nil)
	for _, dir := range []string{"taskdefs", "ecr"} {
		files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "corpus", dir, "*.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no files in testdata/corpus/%s: %v", dir, err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			set := load.NewSet(load.Options{Account: "111122223333", Region: "us-east-1"})
			if set.Add(file, data) != nil {
				continue
			}
			set.Link()
			rs := set.Resources()
			for _, f := range eng.Evaluate(rs, now) {
				if f.Status == rule.NotApplicable {
					continue
				}
				af, err := Build(&f, Params{CreatedAt: now, UpdatedAt: now})
				if err != nil {
					t.Fatalf("%s: %v", file, err)
				}
				fs = append(fs, af)
			}
		}
	}
	if len(fs) < 1000 {
		t.Fatalf("only %d findings from the corpus", len(fs))
	}
	odd := types.AwsSecurityFinding{
		Id:          aws.String("a <b> & \"c\" \\ \n\t\x01 é 🐛 \u2028 \xff"),
		Title:       aws.String(strings.Repeat("x", 40)),
		Confidence:  aws.Int32(0),
		Criticality: aws.Int32(-3),
		Sample:      aws.Bool(false),
		Severity:    &types.Severity{Product: aws.Float64(0.000001), Normalized: aws.Int32(70), Label: types.SeverityLabelHigh},
		ProductFields: map[string]string{
			"": "no key", "empty": "", "b": "2", "a": "1", "<k>": "v&",
		},
		Resources:    []types.Resource{{}, {Id: aws.String("r")}, {}},
		Types:        []string{"", "t"},
		Compliance:   &types.Compliance{},
		Workflow:     &types.Workflow{Status: ""},
		Note:         &types.Note{Text: aws.String("n"), UpdatedAt: aws.String(""), UpdatedBy: aws.String("u")},
		Remediation:  &types.Remediation{Recommendation: &types.Recommendation{Text: aws.String("1e21 and 1e-7")}},
		Malware:      []types.Malware{{Name: aws.String("m")}},
		Action:       &types.Action{},
		ProcessedAt:  aws.String("2026-11-22T00:00:00.000Z"),
		GeneratorId:  aws.String("g"),
		AwsAccountId: aws.String("111122223333"),
	}
	big := odd
	big.Severity = &types.Severity{Product: aws.Float64(1e21)}
	fs = append(fs, odd, big, types.AwsSecurityFinding{})
	got, err := Marshal(fs)
	if err != nil {
		t.Fatal(err)
	}
	if want := referenceMarshal(t, fs); !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Errorf("Marshal differs from the reference at byte %d:\n got …%.200s\nwant …%.200s", i, got[max(i-100, 0):], want[max(i-100, 0):])
	}
	for i := range fs {
		if got, want := Size(fs[i]), referenceSize(fs[i]); got != want {
			t.Errorf("finding %d (%s): Size %d, reference %d", i, aws.ToString(fs[i].Id), got, want)
		}
	}
	if got, _ := Marshal(nil); string(got) != string(referenceMarshal(t, nil)) {
		t.Errorf("empty list: %q", got)
	}
}
