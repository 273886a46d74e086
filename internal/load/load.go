// Package load turns local JSON (AWS CLI outputs, register-task-definition inputs, recorded API responses,
// AWS Config items and the project's own bundle shape) into model resources.
package load

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// Options control decoding.
type Options struct {
	// Strict rejects fields the model does not know, so a typo in a test fixture cannot pass unnoticed.
	// User input is read leniently.
	Strict bool
	// Account and Region apply where the input carries no ARN.
	Account, Region string
}

// Set collects the resources read from any number of inputs; Link joins them once all are read.
type Set struct {
	Tasks      []*model.TaskDefinition
	Repos      []*model.Repository
	Registries []*model.Registry
	Images     []*model.Image
	// Described holds the resources of the kinds read generically from AWS CLI describe outputs (model.CLIKinds),
	// in input order.
	Described []model.Resource

	opts       Options
	policies   []attachment
	lifecycles []attachment
	findings   map[string][]model.ScanFinding // by image digest; nil until scan findings are read
	keys       []*keyMeta                     // describe-key outputs, linked to the repositories' keys
	fieldErrs  map[*model.TaskDefinition][]FieldError
}

// FieldErrors returns the known fields of t whose values the API model refuses; t was read without them.
func (s *Set) FieldErrors(t *model.TaskDefinition) []FieldError { return s.fieldErrs[t] }

type attachment struct {
	registryID, repo, text, source string
}

// NewSet returns an empty set.
func NewSet(opts Options) *Set { return &Set{opts: opts} }

// FileError is a problem with one input, located as precisely as the input allows.
type FileError struct {
	Source string
	Msg    string
	// Fields, when set, are known fields whose values the API model refuses; everything else in the input was
	// read and kept (Msg is then empty).
	Fields []FieldError
}

func (e *FileError) Error() string {
	if len(e.Fields) == 0 {
		return e.Source + ": " + e.Msg
	}
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Error()
	}
	return e.Source + ": " + strings.Join(msgs, "; ") + " (the rest of the file was scanned)"
}

// Add reads one input. On error nothing from that input is kept, and the error names the source and the problem;
// the exception is a known field whose value the API model refuses, which leaves the rest of its resource read:
// Add then keeps the input and returns a FileError listing those fields.
func (s *Set) Add(source string, data []byte) error {
	d := &doc{set: s, source: source, data: data}
	before := s.snapshot()
	if err := d.read(); err != nil {
		s.restore(before)
		return &FileError{Source: source, Msg: err.Error()}
	}
	if len(d.fieldErrs) > 0 {
		return &FileError{Source: source, Fields: d.fieldErrs}
	}
	return nil
}

type snapshot struct{ t, r, g, i, p, l, k int }

func (s *Set) snapshot() snapshot {
	return snapshot{len(s.Tasks), len(s.Repos), len(s.Registries), len(s.Images), len(s.policies), len(s.lifecycles), len(s.Described)}
}

func (s *Set) restore(n snapshot) {
	for _, t := range s.Tasks[n.t:] {
		delete(s.fieldErrs, t)
	}
	s.Tasks, s.Repos, s.Registries, s.Images = s.Tasks[:n.t], s.Repos[:n.r], s.Registries[:n.g], s.Images[:n.i]
	s.policies, s.lifecycles = s.policies[:n.p], s.lifecycles[:n.l]
	s.Described = s.Described[:n.k]
}

// doc is one input being read.
type doc struct {
	set       *Set
	source    string
	data      []byte
	fieldErrs []FieldError
}

// read reads the input with encoding/json and locates every problem it finds.
func (d *doc) read() error {
	data := bytes.TrimSpace(d.data)
	if len(data) == 0 {
		return errors.New("empty input: want a task definition, repository or image JSON document")
	}
	base := int64(bytes.Index(d.data, data[:1]))
	if data[0] == '[' {
		return d.readArray(data, base)
	}
	if data[0] != '{' {
		if !json.Valid(data) {
			return d.jsonErr(base, json.Unmarshal(data, new(any)))
		}
		return errors.New("wrong shape: want a JSON object or array at the top level")
	}
	top, err := d.object(data, base)
	if err != nil {
		return err
	}
	return d.readObject(top, d.data, "", base)
}

// object splits a JSON object into its members, remembering where each value starts.
type member struct {
	raw    json.RawMessage
	offset int64
}

func (d *doc) object(data []byte, base int64) (map[string]member, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, d.jsonErr(base, err)
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return nil, errors.New("wrong shape: want a JSON object")
	}
	out := map[string]member{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, d.jsonErrAt(base, dec.InputOffset(), err)
		}
		key, _ := tok.(string)
		// InputOffset is just after the key; the value starts after the colon and spaces.
		off := dec.InputOffset()
		start := off
		if i := bytes.IndexByte(data[off:], ':'); i >= 0 {
			start += int64(i) + 1
		}
		for start < int64(len(data)) && (data[start] == ' ' || data[start] == '\n' || data[start] == '\r' || data[start] == '\t') {
			start++
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, d.jsonErrAt(base, off, err)
		}
		out[strings.ToLower(key)] = member{raw: raw, offset: base + start}
	}
	if _, err := dec.Token(); err != nil {
		return nil, d.jsonErrAt(base, dec.InputOffset(), err)
	}
	if dec.More() {
		return nil, d.jsonErrAt(base, dec.InputOffset(), errors.New("unexpected data after the top-level value"))
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err == nil {
		l, c := position(d.data, base+dec.InputOffset())
		return nil, fmt.Errorf("line %d, column %d: unexpected data after the top-level JSON value", l, c)
	}
	return out, nil
}

func (d *doc) jsonErr(base int64, err error) error {
	if e := d.syntax(); e != nil {
		return e
	}
	return errors.New(describeJSONError(d.data, base, err))
}

// jsonErrAt reports an error met while reading the value at offset off (relative to base).
func (d *doc) jsonErrAt(base, off int64, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		// A streaming decoder's offsets are relative to where it started a value; a whole-input check is exact.
		if e := d.syntax(); e != nil {
			return e
		}
	}
	l, c := position(d.data, base+off)
	return fmt.Errorf("line %d, column %d: %v", l, c, err)
}

// syntax checks the whole input and locates its first syntax error; nil when the input is valid JSON.
func (d *doc) syntax() error {
	var v any
	err := json.Unmarshal(d.data, &v)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return nil
	}
	if strings.Contains(se.Error(), "unexpected end of JSON input") {
		l, c := position(d.data, int64(len(d.data)))
		return fmt.Errorf("line %d, column %d: invalid JSON: unexpected end of input (truncated file?)", l, c)
	}
	// Offset counts the offending byte itself; point at it.
	return errors.New(describeJSONError(d.data, -1, err))
}

func (d *doc) readArray(data []byte, base int64) error {
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil {
		return d.jsonErr(base, err)
	}
	if len(items) == 0 {
		return errors.New("wrong shape: empty array (want a list of container definitions)")
	}
	// A bare array is a list of container definitions, as Terraform's container_definitions and CDK write them.
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(items[0], &probe); err != nil {
		return errors.New("wrong shape: want an array of container definitions (objects)")
	}
	if _, ok := probe["containerDefinitions"]; ok {
		return errors.New("wrong shape: an array of task definitions; give one task definition per file")
	}
	wrapped := append(append([]byte(`{"containerDefinitions":`), data...), '}')
	td, err := d.decodeTask(wrapped, base-int64(len(`{"containerDefinitions":`)))
	if err != nil {
		return err
	}
	if td.Family == nil || *td.Family == "" {
		fam := familyFromSource(d.source)
		td.Family = &fam
	}
	d.addTask(td, nil, "")
	return nil
}

func familyFromSource(src string) string {
	if i := strings.LastIndexAny(src, `/\`); i >= 0 {
		src = src[i+1:]
	}
	return strings.TrimSuffix(src, ".json")
}

func has(m map[string]member, keys ...string) bool {
	for _, k := range keys {
		if _, ok := m[strings.ToLower(k)]; !ok {
			return false
		}
	}
	return true
}

// readObject reads the object top, whose text is raw (the whole input at the top level), starting at base.
func (d *doc) readObject(top map[string]member, raw []byte, prefix string, base int64) error {
	switch {
	case has(top, "status_code", "data"):
		return d.readRecorded(top)
	case has(top, "taskDefinition"):
		m := top["taskdefinition"]
		td, err := d.decodeTask(m.raw, m.offset)
		if err != nil {
			return err
		}
		var tags tagList
		if t, ok := top["tags"]; ok {
			if err := json.Unmarshal(t.raw, &tags); err != nil {
				return d.located(t.offset, err)
			}
		}
		d.addTask(td, tags, join(prefix, "taskDefinition"))
		// Bundle extension: the images the task references, as describe-images output, in the same file.
		if m, ok := top["imagedetails"]; ok {
			return d.readImages(m, join(prefix, "imageDetails"))
		}
		return nil
	case has(top, "containerDefinitions"):
		td, err := d.decodeTask(raw, base)
		if err != nil {
			return err
		}
		d.addTask(td, nil, prefix)
		return nil
	case has(top, "configurationItems"):
		return d.readConfigItems(top["configurationitems"])
	case has(top, "repositories"), has(top, "repository"):
		return d.readRepositories(top, prefix)
	case has(top, "imageDetails"):
		return d.readImages(top["imagedetails"], join(prefix, "imageDetails"))
	case has(top, "scanningConfiguration"):
		return d.readRegistry(top)
	case has(top, "policyText"), has(top, "lifecyclePolicyText"):
		return d.readPolicyDoc(top)
	case has(top, "imageScanFindings"):
		return d.readScanFindings(top)
	case has(top, "KeyMetadata"):
		return d.readKey(top["keymetadata"], join(prefix, "KeyMetadata"))
	}
	if found, err := d.readKinds(top, prefix); found {
		return err
	}
	keys := model.SortedKeys(top)
	return fmt.Errorf("wrong shape: not a task definition, describe-task-definition, describe-repositories, describe-images, get-registry-scanning-configuration, kms describe-key document, nor %s (top-level keys: %s)", cliOutputs(), strings.Join(keys, ", "))
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "/" + key
}

func (d *doc) located(offset int64, err error) error {
	msg := describeJSONError(d.data, 0, err)
	if strings.HasPrefix(msg, "line ") {
		return errors.New(msg)
	}
	l, c := position(d.data, offset)
	return fmt.Errorf("line %d, column %d: %s", l, c, msg)
}

// readRecorded unwraps a recorded boto3 response ({"status_code": N, "data": {...}}).
func (d *doc) readRecorded(top map[string]member) error {
	var code int
	_ = json.Unmarshal(top["status_code"].raw, &code)
	data := top["data"]
	if code >= 300 {
		var e struct {
			Error struct{ Code, Message string }
		}
		_ = json.Unmarshal(data.raw, &e)
		return fmt.Errorf("the input is an AWS error response (HTTP %d %s: %s), not a resource", code, e.Error.Code, e.Error.Message)
	}
	inner, err := d.object(data.raw, data.offset)
	if err != nil {
		return err
	}
	return d.readObject(inner, data.raw, "data", data.offset)
}

func (d *doc) readConfigItems(m member) error {
	var items []struct {
		ARN           string `json:"arn"`
		ResourceType  string
		AwsRegion     string
		AccountID     string `json:"accountId"`
		Tags          tagList
		Configuration json.RawMessage
	}
	if err := json.Unmarshal(m.raw, &items); err != nil {
		return d.located(m.offset, err)
	}
	n := 0
	for i, it := range items {
		if it.ResourceType != "AWS::ECS::TaskDefinition" {
			continue
		}
		conf := []byte(it.Configuration)
		var s string
		if json.Unmarshal(conf, &s) == nil {
			conf = []byte(s)
		}
		td, err := d.decodeTask(conf, m.offset)
		if err != nil {
			return fmt.Errorf("configurationItems[%d].configuration: %w", i, err)
		}
		if td.TaskDefinitionArn == nil && it.ARN != "" {
			td.TaskDefinitionArn = &it.ARN
		}
		d.addTask(td, it.Tags, "data/configurationItems/"+strconv.Itoa(i))
		n++
	}
	if n == 0 {
		return errors.New("wrong shape: AWS Config items hold no AWS::ECS::TaskDefinition")
	}
	return nil
}

// taskJSON is a task definition as written by people and tools: the SDK type plus the fields it decodes leniently.
type taskJSON struct {
	ecstypes.TaskDefinition
	Cpu               refusable[flexString, *flexString] `json:"Cpu"`
	Memory            refusable[flexString, *flexString] `json:"Memory"`
	RegisteredAt      refusable[flexTime, *flexTime]     `json:"RegisteredAt"`
	DeregisteredAt    refusable[flexTime, *flexTime]     `json:"DeregisteredAt"`
	DeleteRequestedAt refusable[flexTime, *flexTime]     `json:"DeleteRequestedAt"`
	// Tags appear in register-task-definition input.
	Tags refusable[tagList, *tagList] `json:"Tags"`
}

// refusable decodes a leniently read field and keeps a value it refuses as that field's error, instead of ending the
// decoding of the whole document as an error from an UnmarshalJSON method does.
type refusable[T any, PT interface {
	*T
	json.Unmarshaler
}] struct {
	v   T
	bad error
}

func (r *refusable[T, PT]) UnmarshalJSON(b []byte) error {
	if err := PT(&r.v).UnmarshalJSON(b); err != nil {
		r.bad = err
	}
	return nil
}

// decodeTask reads one task definition whose text raw starts at base. A known field of the wrong JSON type, or with
// a value outside its enumeration, does not stop it: the task is read without it (encoding/json skips such a value
// and reads the rest) and the field is returned among the task's field errors.
func (d *doc) decodeTask(raw []byte, base int64) (*taskWithTags, error) {
	var tj taskJSON
	var bad []FieldError
	if err := d.decode(raw, base, &tj); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return nil, err
		}
		bad = append(bad, d.locateTypeError(raw, base, te))
	}
	for _, f := range []struct {
		name string
		err  error
	}{{"cpu", tj.Cpu.bad}, {"memory", tj.Memory.bad}, {"registeredAt", tj.RegisteredAt.bad},
		{"deregisteredAt", tj.DeregisteredAt.bad}, {"deleteRequestedAt", tj.DeleteRequestedAt.bad}, {"tags", tj.Tags.bad}} {
		if f.err != nil {
			msg := strings.TrimPrefix(f.err.Error(), strings.ToLower(f.name)+": ")
			bad = append(bad, d.locateProblem(raw, base, fieldProblem{path: []string{f.name}, msg: msg}))
		}
	}
	td := tj.TaskDefinition
	td.Cpu, td.Memory = tj.Cpu.v.s, tj.Memory.v.s
	td.RegisteredAt, td.DeregisteredAt, td.DeleteRequestedAt = tj.RegisteredAt.v.t, tj.DeregisteredAt.v.t, tj.DeleteRequestedAt.v.t
	if td.ContainerDefinitions == nil {
		return nil, errors.New("task definition has no containerDefinitions")
	}
	if len(td.ContainerDefinitions) == 0 {
		return nil, errors.New("task definition has an empty containerDefinitions list")
	}
	for _, p := range validateTask(&td) {
		bad = append(bad, d.locateProblem(raw, base, p))
	}
	slices.SortStableFunc(bad, func(a, b FieldError) int { return cmp.Or(a.Line-b.Line, a.Column-b.Column) })
	return &taskWithTags{TaskDefinition: td, tags: tj.Tags.v, bad: bad}, nil
}

type taskWithTags struct {
	ecstypes.TaskDefinition
	tags tagList
	bad  []FieldError
}

func (d *doc) decode(raw []byte, base int64, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if d.set.opts.Strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		if strings.HasPrefix(err.Error(), "json: unknown field") {
			return fmt.Errorf("%s (strict decoding)", strings.TrimPrefix(err.Error(), "json: "))
		}
		var se *json.SyntaxError
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &se) {
			if e := d.syntax(); e != nil {
				return e
			}
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &typeError{msg: describeJSONError(d.data, base, err), te: te}
		}
		if errors.As(err, &se) {
			return errors.New(describeJSONError(d.data, base, err))
		}
		l, c := position(d.data, base)
		return fmt.Errorf("line %d, column %d: %v", l, c, err)
	}
	return nil
}

func (d *doc) addTask(td *taskWithTags, tags tagList, path string) {
	t := &model.TaskDefinition{Def: td.TaskDefinition}
	t.Source, t.SourcePath = d.source, path
	t.Tags, t.TagsKnown = map[string]string(td.tags), td.tags != nil || tags != nil
	if tags != nil {
		t.Tags = map[string]string(tags)
	}
	if len(td.bad) > 0 {
		if d.set.fieldErrs == nil {
			d.set.fieldErrs = map[*model.TaskDefinition][]FieldError{}
		}
		d.set.fieldErrs[t] = td.bad
		d.fieldErrs = append(d.fieldErrs, td.bad...)
	}
	d.set.identify(&t.Ref, aws.ToString(td.TaskDefinitionArn))
	if t.ID() == "" {
		// Neither ARN nor family (a register-task-definition skeleton): name it after its file, as a bare container
		// list is, so its findings do not share the empty identity with every other such file.
		fam := familyFromSource(d.source)
		t.Def.Family = &fam
	}
	d.set.Tasks = append(d.set.Tasks, t)
}

func (s *Set) identify(r *model.Ref, arn string) {
	if a, ok := model.ParseARN(arn); ok {
		r.ARN, r.Partition, r.Account, r.Region = arn, a.Partition, a.Account, a.Region
	} else {
		r.Account, r.Region = s.opts.Account, s.opts.Region
		r.Partition = model.PartitionOf(r.Region)
	}
}
