package taskdef

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/testenv/ruletest"
)

// TestRootUserWithImage covers containers that set no user when the image's config was given beside the task
// definition; without it they keep the detail TestRootUser holds them to.
func TestRootUserWithImage(t *testing.T) {
	doc := `{"family":"f","containerDefinitions":[{"name":"app","image":"app:1"},{"name":"web","image":"nginx"},
		{"name":"pinned","image":"app:1","user":"0"},{"name":"other","image":"unknown:2"}]}`
	tests := []struct {
		name  string
		users map[string]model.ImageUser
		want  map[string]string // container -> status and a piece of the detail
	}{
		{"non-root image", map[string]model.ImageUser{"app:1": {User: "1000", Source: "app.tar"}, "nginx": {User: "", Source: "inspect.json"}},
			map[string]string{
				"app":    `PASSED container "app" sets no user, so it runs as its image's USER "1000" (read from app.tar), which is not root`,
				"web":    `FAILED container "web" sets no user, and its image (read from inspect.json) sets no USER either, so it runs as root`,
				"pinned": `FAILED container "pinned" runs as user "0", which is root`,
				"other":  `FAILED container "other" sets no user, so it runs as the image's USER: that may be non-root, but the task definition does not guarantee it`,
			}},
		{"root image", map[string]model.ImageUser{"app:1": {User: "0:0", Source: "app.tar"}},
			map[string]string{"app": `FAILED container "app" sets no user, so it runs as its image's USER "0:0" (read from app.tar), which is root`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := ruletest.Resources[*model.TaskDefinition](t, doc)[0]
			td.ImageUsers = tt.users
			got := map[string]string{}
			for _, r := range RootUser.Check(td, &rule.Env{Settings: rule.DefaultSettings()}) {
				got[r.Container] = string(r.Status) + " " + r.Detail
				if r.Status == rule.Failed && r.Path != "containerDefinitions/"+map[string]string{"app": "0", "web": "1", "pinned": "2", "other": "3"}[r.Container]+"/user" {
					t.Errorf("%s: path %q", r.Container, r.Path)
				}
			}
			for c, want := range tt.want {
				if !strings.HasPrefix(got[c], want) {
					t.Errorf("%s: got %q, want %q", c, got[c], want)
				}
			}
		})
	}
}
