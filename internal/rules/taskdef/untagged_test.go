package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestUntagged(t *testing.T) {
	const def = `{"family":"f","revision":2,"containerDefinitions":[{"name":"a","image":"x"}]}`
	required := rule.DefaultSettings()
	required.RequiredTags = []string{"owner", "env"}
	runCasesA(t, Untagged, []caseA{
		{name: "bare task definition", doc: def,
			want: map[string]expectA{"": {status: rule.NotAvailable, detail: "--include TAGS"}}},
		{name: "describe output without tags", doc: `{"taskDefinition":` + def + `,"tags":[]}`,
			want: map[string]expectA{"": {status: rule.Failed, detail: "no tags", path: "tags"}}},
		{name: "only aws tags", doc: `{"taskDefinition":` + def + `,"tags":[{"key":"aws:cloudformation:stack-id","value":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Failed, detail: "only tags AWS added", path: "tags"}}},
		{name: "own tag", doc: `{"taskDefinition":` + def + `,"tags":[{"key":"team","value":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Passed}}},
		{name: "register input with tags", doc: `{"family":"f","containerDefinitions":[{"name":"a","image":"x"}],"tags":[{"key":"team","value":"x"}]}`,
			want: map[string]expectA{"": {status: rule.Passed}}},
		{name: "required missing", doc: `{"taskDefinition":` + def + `,"tags":[{"key":"owner","value":"x"}]}`, settings: required,
			want: map[string]expectA{"": {status: rule.Failed, detail: "env", path: "tags"}}},
		{name: "required present", doc: `{"taskDefinition":` + def + `,"tags":[{"key":"owner","value":"x"},{"key":"env","value":"p"}]}`, settings: required,
			want: map[string]expectA{"": {status: rule.Passed}}},
	})
}
