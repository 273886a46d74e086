package load

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

func TestReadDockerInspect(t *testing.T) {
	data := []byte(`[{"Id":"sha256:aa","RepoTags":["nginx:1.27","registry.example.com/web:2"],
		"RepoDigests":["nginx@sha256:bb"],"Os":"linux","Architecture":"arm64","Config":{"User":"101","Env":["A=b"]}}]`)
	imgs, ok := ReadDockerInspect("inspect.json", data)
	if !ok || len(imgs) != 1 || imgs[0].User != "101" || len(imgs[0].Refs) != 3 || imgs[0].Platform != "linux/arm64" {
		t.Fatalf("got %+v, %v", imgs, ok)
	}
	for _, other := range []string{`[{"name":"web","image":"nginx"}]`, `{"Id":"x"}`, `[]`, `[1]`, `not json`} {
		if _, ok := ReadDockerInspect("x.json", []byte(other)); ok {
			t.Errorf("%s taken for docker image inspect output", other)
		}
	}

	s := NewSet(Options{})
	if err := s.Add("td.json", []byte(`{"family":"f","containerDefinitions":[{"name":"a","image":"docker.io/library/nginx:1.27"},
		{"name":"b","image":"nginx@sha256:bb"},{"name":"c","image":"registry.example.com/web:3"},{"name":"d","image":"app:1"}]}`)); err != nil {
		t.Fatal(err)
	}
	td := s.Tasks[0]
	files := ImagesOf([]*model.ImageContents{
		{Digest: "sha256:cc", Tags: []string{"app:1"}, Platform: "linux/amd64", Config: model.ImageConfig{User: "0"}, Ref: model.Ref{Source: "amd.tar"}},
		{Digest: "sha256:dd", Tags: []string{"app:1"}, Platform: "linux/arm64", Config: model.ImageConfig{User: "1000"}, Ref: model.Ref{Source: "arm.tar"}},
	})
	LinkImageUsers([]*model.TaskDefinition{td}, append(imgs, files...))
	want := map[string]model.ImageUser{
		"docker.io/library/nginx:1.27": {User: "101", Source: "inspect.json"},
		"nginx@sha256:bb":              {User: "101", Source: "inspect.json"},
		"app:1":                        {User: "0", Source: "amd.tar"},
	}
	if len(td.ImageUsers) != len(want) {
		t.Errorf("got %v, want %v", td.ImageUsers, want)
	}
	for k, v := range want {
		if td.ImageUsers[k] != v {
			t.Errorf("%s: got %+v, want %+v", k, td.ImageUsers[k], v)
		}
	}
}
