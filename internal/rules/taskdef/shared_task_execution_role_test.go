package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestSharedTaskExecutionRole(t *testing.T) {
	task := func(roles string) []string {
		return docsOf(`{"family":"f","containerDefinitions":[{"name":"app","image":"x"}]` + roles + `}`)
	}
	const a = "arn:aws:iam::111122223333:role/app"
	runResultCases(t, SharedTaskExecutionRole, []resultCase{
		{name: "same ARN", docs: task(`,"taskRoleArn":"` + a + `","executionRoleArn":"` + a + `"`),
			want: map[string]expected{"": {status: rule.Failed, path: "taskRoleArn"}}},
		{name: "same role, other path and case", docs: task(`,"taskRoleArn":"arn:aws:iam::111122223333:role/svc/App","executionRoleArn":"` + a + `"`),
			want: map[string]expected{"": {status: rule.Failed}}},
		{name: "task role given by name", docs: task(`,"taskRoleArn":"app","executionRoleArn":"` + a + `"`),
			want: map[string]expected{"": {status: rule.Failed}}},
		{name: "same name, other account", docs: task(`,"taskRoleArn":"arn:aws:iam::444455556666:role/app","executionRoleArn":"` + a + `"`),
			want: map[string]expected{"": {status: rule.Passed}}},
		{name: "different roles", docs: task(`,"taskRoleArn":"arn:aws:iam::111122223333:role/app-task","executionRoleArn":"arn:aws:iam::111122223333:role/ecsTaskExecutionRole"`),
			want: map[string]expected{"": {status: rule.Passed}}},
		{name: "only an execution role", docs: task(`,"executionRoleArn":"` + a + `"`),
			want: map[string]expected{"": {status: rule.Passed}}},
		{name: "only a task role", docs: task(`,"taskRoleArn":"` + a + `"`),
			want: map[string]expected{"": {status: rule.Passed}}},
		{name: "no roles", docs: task(``), want: map[string]expected{"": {status: rule.NotApplicable}}},
	})
}
