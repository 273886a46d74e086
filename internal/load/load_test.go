package load

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func add(t *testing.T, opts Options, docs ...string) (*Set, error) {
	t.Helper()
	s := NewSet(opts)
	var first error
	for i, d := range docs {
		if err := s.Add("f"+string(rune('0'+i))+".json", []byte(d)); err != nil && first == nil {
			first = err
		}
	}
	s.Link()
	return s, first
}

func TestShapes(t *testing.T) {
	tests := []struct {
		name                     string
		doc                      string
		tasks, repos, regs, imgs int
		family                   string
	}{
		{"bare task definition", `{"family":"web","containerDefinitions":[{"name":"a","image":"x"}]}`, 1, 0, 0, 0, "web"},
		{"describe output", `{"taskDefinition":{"family":"web","revision":3,"containerDefinitions":[{"name":"a","image":"x"}]},"tags":[{"key":"k","value":"v"}]}`, 1, 0, 0, 0, "web"},
		{"recorded response", `{"status_code":200,"data":{"taskDefinition":{"family":"rec","containerDefinitions":[{"name":"a","image":"x"}]},"ResponseMetadata":{}}}`, 1, 0, 0, 0, "rec"},
		{"recorded bare task definition", `{"status_code":200,"data":{"family":"rec","containerDefinitions":[{"name":"a","image":"x"}]}}`, 1, 0, 0, 0, "rec"},
		{"container definitions array", `[{"name":"a","image":"x"},{"name":"b","image":"y"}]`, 1, 0, 0, 0, "f0"},
		{"config item", `{"configurationItems":[{"resourceType":"AWS::ECS::TaskDefinition","arn":"arn:aws:ecs:us-east-1:111122223333:task-definition/cfg:1","configuration":"{\"Family\":\"cfg\",\"ContainerDefinitions\":[{\"Name\":\"a\",\"Image\":\"x\"}]}"}]}`, 1, 0, 0, 0, "cfg"},
		{"describe repositories", `{"repositories":[{"repositoryName":"a"},{"repositoryName":"b"}]}`, 0, 2, 0, 0, ""},
		{"create repository", `{"repository":{"repositoryName":"a"}}`, 0, 1, 0, 0, ""},
		{"describe images", `{"imageDetails":[{"repositoryName":"a","imageDigest":"sha256:1","imagePushedAt":1572489492.0}]}`, 0, 0, 0, 1, ""},
		{"registry scanning", `{"registryId":"111122223333","scanningConfiguration":{"scanType":"BASIC","rules":[]}}`, 0, 0, 1, 0, ""},
		{"policy alone", `{"registryId":"111122223333","repositoryName":"a","policyText":"{}"}`, 0, 1, 0, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := add(t, Options{}, tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Tasks) != tt.tasks || len(s.Repos) != tt.repos || len(s.Registries) != tt.regs || len(s.Images) != tt.imgs {
				t.Fatalf("got %d tasks, %d repos, %d registries, %d images", len(s.Tasks), len(s.Repos), len(s.Registries), len(s.Images))
			}
			if tt.family != "" && *s.Tasks[0].Def.Family != tt.family {
				t.Fatalf("family %q", *s.Tasks[0].Def.Family)
			}
		})
	}
}

func TestTimestampsAndLenientNumbers(t *testing.T) {
	s, err := add(t, Options{}, `{"taskDefinition":{"family":"w","cpu":256,"memory":512,"registeredAt":1700000000.5,
		"deregisteredAt":"2024-01-02T03:04:05Z","deleteRequestedAt":{"__class__":"datetime","year":2024,"month":1,"day":26,"hour":15,"minute":17,"second":13,"microsecond":7000},
		"containerDefinitions":[{"name":"a","image":"x"}]}}`)
	if err != nil {
		t.Fatal(err)
	}
	td := s.Tasks[0].Def
	if *td.Cpu != "256" || *td.Memory != "512" {
		t.Errorf("cpu/memory: %v %v", *td.Cpu, *td.Memory)
	}
	if got := td.RegisteredAt.UTC(); !got.Equal(time.Unix(1700000000, 5e8).UTC()) {
		t.Errorf("registeredAt %v", got)
	}
	if got := td.DeregisteredAt.UTC(); got.Year() != 2024 || got.Hour() != 3 {
		t.Errorf("deregisteredAt %v", got)
	}
	if got := td.DeleteRequestedAt; got.Minute() != 17 || got.Nanosecond() != 7e6 {
		t.Errorf("deleteRequestedAt %v", got)
	}
}

func TestTagsAsListOrMap(t *testing.T) {
	s, err := add(t, Options{}, `{"family":"w","containerDefinitions":[{"name":"a","image":"x"}],"tags":{"team":"a"}}`,
		`{"family":"v","containerDefinitions":[{"name":"a","image":"x"}],"tags":[{"key":"team","value":"b"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if s.Tasks[0].Tags["team"] != "a" || s.Tasks[1].Tags["team"] != "b" {
		t.Fatalf("tags: %v %v", s.Tasks[0].Tags, s.Tasks[1].Tags)
	}
}

func TestErrorsNameTheProblem(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string
		opts      Options
	}{
		{"invalid JSON", "{\n  \"family\": \"w\",\n  \"containerDefinitions\": [ nope ]\n}", []string{"line 3, column 30", "invalid JSON"}, Options{}},
		{"truncated", `{"family":"w","containerDefinitions":[{"name":"a"`, []string{"unexpected end of input"}, Options{}},
		{"no containerDefinitions", `{"taskDefinition":{"family":"w"}}`, []string{"no containerDefinitions"}, Options{}},
		{"empty containerDefinitions", `{"family":"w","containerDefinitions":[]}`, []string{"empty containerDefinitions"}, Options{}},
		{"wrong shape", `{"hello":"world"}`, []string{"wrong shape", "hello"}, Options{}},
		{"scalar", `42`, []string{"wrong shape"}, Options{}},
		{"empty", ``, []string{"empty input"}, Options{}},
		{"error response", `{"status_code":400,"data":{"Error":{"Code":"RepositoryPolicyNotFoundException","Message":"no policy"}}}`, []string{"AWS error response", "RepositoryPolicyNotFoundException"}, Options{}},
		{"strict unknown field", `{"family":"w","containerDefinitions":[{"name":"a","privilegd":true}]}`, []string{"unknown field", "privilegd"}, Options{Strict: true}},
		{"trailing data", `{"family":"w","containerDefinitions":[{"name":"a"}]} {}`, []string{"after the top-level"}, Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := add(t, tt.opts, tt.doc)
			if err == nil {
				t.Fatalf("no error; loaded %d tasks", len(s.Tasks))
			}
			if !strings.HasPrefix(err.Error(), "f0.json: ") {
				t.Errorf("error does not name the file: %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if len(s.Tasks)+len(s.Repos)+len(s.Images)+len(s.Registries) != 0 {
				t.Errorf("a failed input left resources behind")
			}
		})
	}
	// Lenient decoding ignores the unknown field.
	if _, err := add(t, Options{}, `{"family":"w","containerDefinitions":[{"name":"a","privilegd":true}]}`); err != nil {
		t.Errorf("lenient decoding failed: %v", err)
	}
}

// TestRefusedFieldKeepsTheRest: a known field whose value the API model refuses (outside its enumeration, or of the
// wrong JSON type) is reported with its path, line and column, and the task definition is kept without it.
func TestRefusedFieldKeepsTheRest(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []FieldError // Msg holds a fragment of the message
	}{
		{"unknown enum", `{"family":"w","networkMode":"bridged","containerDefinitions":[{"name":"a"}]}`,
			[]FieldError{{Path: "networkMode", Line: 1, Column: 29, Msg: `unknown value "bridged" (want one of [bridge host awsvpc none])`}}},
		{"unknown enum in container", "{\"family\":\"w\",\"containerDefinitions\":[\n {\"name\":\"a\"},\n {\"name\":\"b\",\"logConfiguration\":{\"logDriver\":\"syslogd\"}}]}",
			[]FieldError{{Path: "containerDefinitions/1/logConfiguration/logDriver", Line: 3, Column: 46, Msg: `unknown value "syslogd"`}}},
		{"protocol http", "{\"family\":\"w\",\"containerDefinitions\":[{\"name\":\"a\",\n \"portMappings\":[{\"containerPort\":80},{\"containerPort\":81,\"protocol\":\"http\"}]}]}",
			[]FieldError{{Path: "containerDefinitions/0/portMappings/1/protocol", Line: 2, Column: 70, Msg: `unknown value "http"`}}},
		{"wrong type", "{\"family\":\"w\",\n\"containerDefinitions\":[{\"name\":\"a\",\"privileged\":\"yes\"}]}",
			[]FieldError{{Path: "containerDefinitions/0/privileged", Line: 2, Column: 50, Msg: "want true or false, got JSON string"}}},
		{"wrong type in the second container, keys in any case", "{\"Family\":\"w\",\"ContainerDefinitions\":[{\"Name\":\"a\",\"Privileged\":true},\n{\"Name\":\"b\",\"LogConfiguration\":{\"logDriver\":\"awslogs\",\"secretOptions\":{\"name\":\"x\"}}}]}",
			[]FieldError{{Path: "ContainerDefinitions/1/LogConfiguration/secretOptions", Line: 2, Column: 71, Msg: "want a list, got JSON object"}}},
		{"type and enum together", `{"family":"w","pidMode":"hst","containerDefinitions":[{"name":"a","memory":"512"}]}`,
			[]FieldError{
				{Path: "pidMode", Line: 1, Column: 25, Msg: `unknown value "hst"`},
				{Path: "containerDefinitions/0/memory", Line: 1, Column: 76, Msg: "want a number, got JSON string"},
			}},
		{"inside describe-task-definition", `{"taskDefinition":{"family":"w","containerDefinitions":[{"name":"a","portMappings":[{"protocol":"http"}]}]}}`,
			[]FieldError{{Path: "containerDefinitions/0/portMappings/0/protocol", Line: 1, Column: 97, Msg: `unknown value "http"`}}},
		{"leniently read fields", `{"family":"w","cpu":true,"registeredAt":[1],"tags":5,"containerDefinitions":[{"name":"a"}]}`,
			[]FieldError{
				{Path: "cpu", Line: 1, Column: 21, Msg: "want a string or a number, got true"},
				{Path: "registeredAt", Line: 1, Column: 41, Msg: "timestamp [1] is not a number"},
				{Path: "tags", Line: 1, Column: 52, Msg: "want a list of {key, value} or a map"},
			}},
		{"bare container list", `[{"name":"a","privileged":1}]`,
			[]FieldError{{Path: "containerDefinitions/0/privileged", Line: 1, Column: 27, Msg: "want true or false, got JSON number"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := add(t, Options{}, tt.doc)
			var fe *FileError
			if !errors.As(err, &fe) || len(fe.Fields) == 0 {
				t.Fatalf("want a FileError with refused fields, got %v", err)
			}
			if !strings.HasPrefix(err.Error(), "f0.json: line ") {
				t.Errorf("error does not name the file and a line: %v", err)
			}
			if len(s.Tasks) != 1 {
				t.Fatalf("the task definition was not kept: %d tasks", len(s.Tasks))
			}
			got := s.FieldErrors(s.Tasks[0])
			if len(got) != len(tt.want) || len(fe.Fields) != len(tt.want) {
				t.Fatalf("got field errors %+v, want %+v", got, tt.want)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Path != w.Path || g.Line != w.Line || g.Column != w.Column || !strings.Contains(g.Msg, w.Msg) {
					t.Errorf("field error %d: got %+v, want %+v", i, g, w)
				}
				if !strings.Contains(err.Error(), fmt.Sprintf("line %d, column %d: %s: ", w.Line, w.Column, w.Path)) {
					t.Errorf("error %q does not locate %s", err, w.Path)
				}
			}
			if len(s.Tasks[0].Def.ContainerDefinitions) == 0 || s.Tasks[0].Def.ContainerDefinitions[0].Name == nil {
				t.Errorf("the rest of the task definition was not read: %+v", s.Tasks[0].Def)
			}
		})
	}
	// The rest is read: the first container's privileged flag survives the second container's bad field.
	s, _ := add(t, Options{}, tests[4].doc)
	if c := s.Tasks[0].Def.ContainerDefinitions[0]; c.Privileged == nil || !*c.Privileged {
		t.Errorf("privileged of container a was lost: %+v", c)
	}
	// A failed input later in the same file drops the refused fields it had recorded.
	s, err := add(t, Options{}, `{"configurationItems":[{"resourceType":"AWS::ECS::TaskDefinition","configuration":{"family":"a","networkMode":"bridged","containerDefinitions":[{"name":"a"}]}},{"resourceType":"AWS::ECS::TaskDefinition","configuration":{"family":"b"}}]}`)
	if err == nil || len(s.Tasks) != 0 || len(s.fieldErrs) != 0 {
		t.Errorf("a failed input kept tasks or field errors: %v, %d, %v", err, len(s.Tasks), s.fieldErrs)
	}
}

func TestVisitValues(t *testing.T) {
	doc := []byte(`{"a": [1, {"b": "x", "c": []}, [true]], "d": {}, "e": null}`)
	var got []string
	visitValues(doc, func(path []string, start int64) bool {
		got = append(got, fmt.Sprintf("%s@%d", strings.Join(path, "/"), start))
		return true
	})
	want := "@0 a@6 a/0@7 a/1@10 a/1/b@16 a/1/c@26 a/2@31 a/2/0@32 d@45 e@54"
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}

func TestBundleAndLinking(t *testing.T) {
	s, err := add(t, Options{Region: "us-east-1"},
		`{"repositories":[{"repositoryName":"web","registryId":"111122223333","repositoryArn":"arn:aws:ecr:us-east-1:111122223333:repository/web"},
		                  {"repositoryName":"api","registryId":"111122223333"}],
		  "lifecyclePolicies":[{"repositoryName":"web","lifecyclePolicyText":"{\"rules\":[]}"}],
		  "repositoryPolicies":[],
		  "tags":{"web":[{"Key":"owner","Value":"a"}]}}`,
		`{"registryId":"111122223333","scanningConfiguration":{"scanType":"ENHANCED","rules":[]}}`,
		`{"taskDefinition":{"family":"w","containerDefinitions":[{"name":"a","image":"111122223333.dkr.ecr.us-east-1.amazonaws.com/web:1.0"},{"name":"b","image":"111122223333.dkr.ecr.us-east-1.amazonaws.com/web:2.0"}]},
		  "imageDetails":[{"registryId":"111122223333","repositoryName":"web","imageDigest":"sha256:1","imageTags":["1.0"]}]}`,
		`{"registryId":"111122223333","repositoryName":"api","policyText":"{\"Statement\":[]}"}`)
	if err != nil {
		t.Fatal(err)
	}
	web, api := s.Repos[0], s.Repos[1]
	if !web.LifecycleKnown || web.LifecyclePolicy == "" || !api.LifecycleKnown || api.LifecyclePolicy != "" {
		t.Errorf("lifecycle bundle: web %v %q, api %v %q", web.LifecycleKnown, web.LifecyclePolicy, api.LifecycleKnown, api.LifecyclePolicy)
	}
	if !web.PolicyKnown || web.Policy != "" || !api.PolicyKnown || api.Policy == "" {
		t.Errorf("policies: web %v %q, api %v %q", web.PolicyKnown, web.Policy, api.PolicyKnown, api.Policy)
	}
	if web.Tags["owner"] != "a" || !web.TagsKnown || api.Tags != nil || !api.TagsKnown {
		t.Errorf("tags: %v %v", web.Tags, api.Tags)
	}
	if web.Registry == nil || web.Registry.ScanType != "ENHANCED" {
		t.Errorf("registry not linked: %+v", web.Registry)
	}
	if len(s.Repos) != 2 {
		t.Errorf("the standalone policy should attach to api, not add a repository: %d repos", len(s.Repos))
	}
	imgs := s.Tasks[0].Images
	if l := imgs["111122223333.dkr.ecr.us-east-1.amazonaws.com/web:1.0"]; l.Image == nil {
		t.Errorf("web:1.0 not linked: %+v", l)
	}
	if l := imgs["111122223333.dkr.ecr.us-east-1.amazonaws.com/web:2.0"]; l.Image != nil || l.Err == "" {
		t.Errorf("web:2.0 is not in the input and should say so: %+v", l)
	}
	if got := s.Images[0].ARN; got != "arn:aws:ecr:us-east-1:111122223333:repository/web/sha256:1" {
		t.Errorf("image ARN %q", got)
	}
}

func TestIdentityFromARNOrOptions(t *testing.T) {
	s, err := add(t, Options{Account: "999999999999", Region: "eu-west-1"},
		`{"taskDefinition":{"taskDefinitionArn":"arn:aws-cn:ecs:cn-north-1:111122223333:task-definition/w:2","family":"w","revision":2,"containerDefinitions":[{"name":"a"}]}}`,
		`{"family":"v","containerDefinitions":[{"name":"a"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	a, b := s.Tasks[0], s.Tasks[1]
	if a.Account != "111122223333" || a.Region != "cn-north-1" || a.Partition != "aws-cn" || a.ID() != a.ARN {
		t.Errorf("from ARN: %+v", a.Ref)
	}
	if b.Account != "999999999999" || b.Region != "eu-west-1" || b.ARN != "" || b.ID() != "v" {
		t.Errorf("from options: %+v id %s", b.Ref, b.ID())
	}
}
