package load

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/service/ecs/schemas"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
)

// TestFastSchemaMatchesFields checks what the fast path assumes of the SDK: every struct reachable from a task
// definition has exactly the fields its schema has members, a member's name folds (ASCII case) to its field's name
// as encoding/json matches keys, and no two members fold to the same name. If a new SDK release breaks this,
// the fast path would read a key differently from encoding/json.
func TestFastSchemaMatchesFields(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(path string, typ reflect.Type, s *smithy.Schema)
	walk = func(path string, typ reflect.Type, s *smithy.Schema) {
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		switch typ.Kind() {
		case reflect.Slice:
			if typ.Elem().Kind() == reflect.Uint8 {
				t.Errorf("%s: a blob; the fast path does not read those", path)
				return
			}
			walk(path+"[]", typ.Elem(), s.ListMember())
			return
		case reflect.Map:
			walk(path+"{}", typ.Elem(), s.MapValue())
			return
		case reflect.Interface:
			if s.Type() != smithy.ShapeTypeUnion {
				t.Errorf("%s: interface field for a %v shape", path, s.Type())
			}
			return // a union: the fast path leaves it to the exact path
		case reflect.Struct:
		default:
			return
		}
		if typ.PkgPath() != reflect.TypeOf(ecstypes.TaskDefinition{}).PkgPath() {
			return // time.Time: read through flexTime
		}
		if seen[typ] {
			return
		}
		seen[typ] = true
		fields := map[string]reflect.StructField{}
		for i := range typ.NumField() {
			f := typ.Field(i)
			if !f.IsExported() {
				continue
			}
			if f.Anonymous || f.Tag != "" {
				t.Errorf("%s.%s: embedded or tagged field; encoding/json would match it differently", path, f.Name)
			}
			fields[strings.ToLower(f.Name)] = f
		}
		members := map[string]*smithy.Schema{}
		for name, m := range s.Members() {
			if other, dup := members[strings.ToLower(name)]; dup {
				t.Errorf("%s: members %s and %s fold to the same name", path, name, other.MemberName())
			}
			members[strings.ToLower(name)] = m
			if !isASCII(name) {
				t.Errorf("%s: member %q is not ASCII", path, name)
			}
		}
		if len(fields) != len(members) {
			t.Errorf("%s: %d exported fields, %d schema members", path, len(fields), len(members))
		}
		for key, f := range fields {
			m, ok := members[key]
			if !ok {
				t.Errorf("%s.%s: no schema member", path, f.Name)
				continue
			}
			walk(path+"."+f.Name, f.Type, m)
		}
	}
	walk("TaskDefinition", reflect.TypeOf(ecstypes.TaskDefinition{}), schemas.TaskDefinition)
	if len(seen) < 20 {
		t.Fatalf("walked only %d structs", len(seen))
	}
	// The members the loader reads itself must not be members of the SDK type.
	for _, k := range append([]string{"taskdefinition", "imagedetails", "TAGS"}, loaderMembers...) {
		if memberOf(schemas.TaskDefinition, []byte(k)) != nil {
			t.Errorf("TaskDefinition has a member %q", k)
		}
	}
	// The names taskJSON overrides are the members the fast path treats alike.
	for k, m := range map[string]*smithy.Schema{"cpu": schemas.TaskDefinition_cpu, "memory": schemas.TaskDefinition_memory,
		"registeredAt": schemas.TaskDefinition_registeredAt, "deregisteredAt": schemas.TaskDefinition_deregisteredAt,
		"deleteRequestedAt": schemas.TaskDefinition_deleteRequestedAt} {
		if memberOf(schemas.TaskDefinition, []byte(k)) != m {
			t.Errorf("member %s", k)
		}
		if _, ok := reflect.TypeOf(taskJSON{}).FieldByName(strings.ToUpper(k[:1]) + k[1:]); !ok {
			t.Errorf("taskJSON has no field for %s", k)
		}
	}
}

func isASCII(s string) bool {
	for _, c := range s {
		if c >= unicode.MaxASCII {
			return false
		}
	}
	return true
}

// compareFastExact reads data on the fast path and on the exact path and fails unless they agree: the fast path
// may give up, but what it reads must be exactly what the exact path reads. It reports whether the fast path read it.
func compareFastExact(t testing.TB, name string, data []byte) bool {
	t.Helper()
	opts := Options{Account: "111122223333", Region: "us-east-1"}
	fast := NewSet(opts)
	ok := (&doc{set: fast, source: name, data: data}).readFast()
	if !ok {
		if len(fast.Tasks) != 0 {
			t.Fatalf("%s: the fast path gave up but added %d task definitions", name, len(fast.Tasks))
		}
		return false
	}
	exact := NewSet(opts)
	if err := (&doc{set: exact, source: name, data: data, exact: true}).read(); err != nil {
		t.Fatalf("%s: the fast path read it, the exact path fails: %v\n%s", name, err, data)
	}
	if !reflect.DeepEqual(fast.Tasks, exact.Tasks) {
		f, _ := json.MarshalIndent(fast.Tasks, "", " ")
		e, _ := json.MarshalIndent(exact.Tasks, "", " ")
		t.Fatalf("%s: the fast and exact paths disagree\nfast:  %s\nexact: %s\ninput: %s", name, f, e, data)
	}
	return true
}

// corpusInputs reads every JSON document of the shared corpus and of this repository's test data.
func corpusInputs(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, pattern := range []string{fuzzCorpus + "/*/*.json", "../rules/*/testdata/*/*.json", "../../examples/*/*.json"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out[f] = data
		}
	}
	if len(out) < 200 {
		t.Fatalf("only %d inputs", len(out))
	}
	return out
}

func TestFastMatchesExact(t *testing.T) {
	read, valid := 0, 0
	byVariant := map[string]int{}
	for name, data := range corpusInputs(t) {
		ok := compareFastExact(t, name, data)
		if ok {
			read++
		}
		// Every task definition the exact path reads in the shapes the fast path knows must take the fast path,
		// or the fast path is silently unused.
		set := NewSet(Options{})
		if strings.Contains(name, "taskdefs") && set.Add(name, data) == nil && len(set.Tasks) == 1 {
			valid++
			if !ok {
				t.Errorf("%s: valid task definition left to the exact path", name)
			}
		}
		for vname, v := range variants(t, data) {
			if compareFastExact(t, name+" "+vname, v) {
				byVariant[vname]++
			}
		}
		trimmed := bytes.TrimSpace(data)
		for _, n := range []int{1, len(trimmed) / 3, len(trimmed) / 2, len(trimmed) - 1} {
			if n > 0 && n < len(trimmed) && compareFastExact(t, name+" truncated", trimmed[:n]) {
				t.Errorf("%s: the fast path read a truncated input", name)
			}
		}
	}
	if valid < 80 || read < valid {
		t.Fatalf("the fast path read %d inputs, %d valid task definitions", read, valid)
	}
	// The rewrites the fast path reads, and those it must leave to the exact path (errors, duplicates, bundles).
	for _, v := range []string{"compact", "pascal", "upper", "wrapped", "recorded", "escaped", "latin1", "numbers", "list"} {
		if byVariant[v] < valid/2 {
			t.Errorf("variant %s: the fast path read %d of %d", v, byVariant[v], valid)
		}
	}
	for _, v := range []string{"recorded-500", "with-images", "dup", "key-case-dup", "trailing", "bad-numbers",
		"list-of-tasks", "odd-container", "big-container"} {
		if byVariant[v] != 0 {
			t.Errorf("variant %s: the fast path read %d", v, byVariant[v])
		}
	}
}

// variants rewrites a JSON document in ways users and tools write the same thing differently.
func variants(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil
	}
	enc := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	out := map[string][]byte{
		"compact":      enc(v),
		"pascal":       enc(mapKeys(v, func(k string) string { return strings.ToUpper(k[:1]) + k[1:] })),
		"upper":        enc(mapKeys(v, strings.ToUpper)),
		"wrapped":      enc(map[string]any{"taskDefinition": v, "tags": []any{map[string]any{"key": "k", "value": "v"}}}),
		"recorded":     enc(map[string]any{"status_code": 200, "data": map[string]any{"taskDefinition": v}}),
		"recorded-500": enc(map[string]any{"status_code": 500, "data": map[string]any{"taskDefinition": v}}),
		"with-images":  enc(map[string]any{"taskDefinition": v, "imageDetails": []any{}}),
		"escaped":      bytes.ReplaceAll(enc(v), []byte(`"name":"`), []byte(`"name":"\u00e9\n`)),
		"latin1":       bytes.ReplaceAll(enc(v), []byte(`"image":"`), []byte("\"image\":\"\xe9")),
		"trailing":     append(enc(v), " x"...),
	}
	if c := enc(v); bytes.Contains(c, []byte(`"image":`)) {
		out["dup"] = bytes.Replace(c, []byte(`"image":`), []byte(`"image":"a","image":`), 1)
		out["key-case-dup"] = bytes.Replace(c, []byte(`"image":`), []byte(`"image":"a","Image":`), 1)
	}
	if m, ok := v.(map[string]any); ok {
		n := map[string]any{}
		for k, x := range m {
			n[k] = x
		}
		n["cpu"], n["memory"], n["tags"] = json.Number("1024"), json.Number("2048"), map[string]any{"team": "a"}
		n["registeredAt"], n["networkMode"] = json.Number("1700000000.5"), nil
		out["numbers"] = enc(n)
		n["cpu"], n["registeredAt"] = json.Number("1e999"), ""
		out["bad-numbers"] = enc(n)
		if cds, ok := m["containerDefinitions"].([]any); ok && len(cds) > 0 {
			out["list"] = enc(cds)
			out["list-of-tasks"] = enc([]any{v})
			c0, _ := cds[0].(map[string]any)
			c := map[string]any{}
			for k, x := range c0 {
				c[k] = x
			}
			c["memory"], c["essential"], c["linuxParameters"], c["portMappings"] = json.Number("1.5"), nil, nil, []any{nil}
			n["containerDefinitions"] = append([]any{c}, cds[1:]...)
			out["odd-container"] = enc(n)
			c["memory"], c["portMappings"] = json.Number("99999999999"), []any{}
			out["big-container"] = enc(n)
		}
	}
	return out
}

// mapKeys renames the keys of every object in v.
func mapKeys(v any, f func(string) string) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if k == "" {
				out[k] = mapKeys(e, f)
				continue
			}
			out[f(k)] = mapKeys(e, f)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = mapKeys(e, f)
		}
		return out
	}
	return v
}

func TestFastShapes(t *testing.T) {
	tests := []struct {
		name, doc string
		fast      bool
	}{
		{"bare", `{"family":"w","containerDefinitions":[{"name":"a","image":"x"}]}`, true},
		{"wrapped with tags", `{"taskDefinition":{"family":"w","containerDefinitions":[{"name":"a"}]},"tags":[{"key":"k","value":"v"}]}`, true},
		{"recorded", `{"status_code":200,"data":{"taskDefinition":{"family":"w","containerDefinitions":[{"name":"a"}]}}}`, true},
		{"list", ` [{"name":"a","image":"x"}] `, true},
		{"nested recorded", `{"status_code":200,"data":{"status_code":200,"data":{"taskDefinition":{"containerDefinitions":[{"name":"a"}]}}}}`, false},
		{"status code as text", `{"status_code":"200","data":{"taskDefinition":{"family":"w","containerDefinitions":[{"name":"a"}]}}}`, false},
		{"union member", `{"containerDefinitions":[{"name":"a","resourceRequirements":[{"type":"GPU","value":"1","sharingStrategy":{"nvidiaMps":{}}}]}]}`, false},
		{"non-ASCII key", `{"containerDefinitions":[{"ſecrets":[]}]}`, false},
		{"escaped key", `{"containerDefinitions":[{"n\u0061me":"a"}]}`, false},
		{"repositories", `{"repositories":[{"repositoryName":"a"}]}`, false},
		{"config items", `{"configurationItems":[{"resourceType":"AWS::ECS::TaskDefinition","arn":"arn:aws:ecs:us-east-1:1:task-definition/c:1","configuration":"{\"Family\":\"c\",\"ContainerDefinitions\":[{\"Name\":\"a\"}]}"}]}`, true},
		{"config items, second bad", `{"configurationItems":[{"resourceType":"AWS::ECS::TaskDefinition","configuration":{"family":"c","containerDefinitions":[{"name":"a"}]}},{"resourceType":"AWS::ECS::TaskDefinition","configuration":{"family":"d"}}]}`, false},
		{"empty container list", `{"containerDefinitions":[]}`, false},
		{"unknown network mode", `{"networkMode":"nat","containerDefinitions":[{"name":"a"}]}`, false},
		{"deep unknown member", `{"x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `,"containerDefinitions":[{"name":"a"}]}`, false},
		{"number as string", `{"containerDefinitions":[{"name":"a","memory":"512"}]}`, false},
		{"empty timestamp", `{"registeredAt":"","containerDefinitions":[{"name":"a"}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := compareFastExact(t, tt.name, []byte(tt.doc)); got != tt.fast {
				t.Fatalf("fast path read it: %v, want %v", got, tt.fast)
			}
		})
	}
}

// FuzzFastMatchesExact holds the fast path to the exact one on arbitrary input: whenever it reads an input, it must
// read exactly what encoding/json reads.
func FuzzFastMatchesExact(f *testing.F) {
	for _, data := range fuzzSeedFiles(f, fuzzCorpus+"/taskdefs") {
		f.Add(data)
	}
	f.Add([]byte(`{"taskDefinition":{"Family":"w","CPU":1,"containerDefinitions":[{"Name":"a","dockerLabels":{"a\u00e9":null}}]},"Tags":{"a":"b"}}`))
	for _, tt := range directInputs {
		f.Add([]byte(tt.doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		compareFastExact(t, "fuzz.json", data)
	})
}

// TestScannerWordTricks holds the eight-bytes-at-a-time scans to their byte-by-byte definitions, at every offset.
func TestScannerWordTricks(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alphabet := []byte("ab \"\\\x1f\x20\x7e\x7f\x80\xc3\xa9\n\t\r0\x5c\x5d\x5b")
	for range 20000 {
		b := make([]byte, rng.Intn(40))
		for i := range b {
			b[i] = alphabet[rng.Intn(len(alphabet))]
			if rng.Intn(3) == 0 {
				b[i] = byte(rng.Intn(256))
			}
		}
		want := true
		for _, c := range b {
			if c < ' ' || c >= 0x80 || c == '\\' {
				want = false
			}
		}
		if got := plain(b); got != want {
			t.Fatalf("plain(%q) = %v", b, got)
		}
		// str must agree with strSlow on the same text.
		text := append([]byte{'"'}, b...)
		fast, slow := &scanner{data: text}, &scanner{data: text}
		a1, b1, e1, h1, ok1 := fast.str()
		a2, b2, e2, h2, ok2 := slow.strSlow()
		if ok1 != ok2 || (ok1 && (a1 != a2 || b1 != b2 || fast.i != slow.i || (e1 || h1) != (e2 || h2))) {
			t.Fatalf("str(%q) = %d %d %v %v %v at %d; strSlow %d %d %v %v %v at %d", text, a1, b1, e1, h1, ok1, fast.i, a2, b2, e2, h2, ok2, slow.i)
		}
		// peek passes over exactly the JSON white space.
		ws := &scanner{data: b}
		c, i := ws.peek(), 0
		for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
			i++
		}
		if ws.i != i || (i < len(b) && c != b[i]) || (i == len(b) && c != 0) {
			t.Fatalf("peek(%q) = %q at %d, want %d", b, c, ws.i, i)
		}
	}
	if !plain([]byte(strings.Repeat("x", 17))) || plain([]byte(strings.Repeat("x", 16)+"\\")) {
		t.Fatal("plain misses the tail")
	}
}
