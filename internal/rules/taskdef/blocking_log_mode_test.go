package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestBlockingLogMode(t *testing.T) {
	blockingAccount := rule.DefaultSettings()
	blockingAccount.DefaultLogDriverMode = "blocking"
	nonBlockingAccount := rule.DefaultSettings()
	nonBlockingAccount.DefaultLogDriverMode = "non-blocking"
	const absent = `{"family":"f","containerDefinitions":[{"name":"app","image":"x","logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"g"}}}]}`
	runResultCases(t, BlockingLogMode, []resultCase{
		{name: "explicit blocking", docs: docsOf(`{"family":"f","containerDefinitions":[{"name":"app","image":"x","logConfiguration":{"logDriver":"awslogs","options":{"mode":"blocking"}}}]}`),
			want: map[string]expected{"app": {status: rule.Failed, path: "containerDefinitions/0/logConfiguration/options/mode"}}},
		{name: "explicit blocking in capitals", docs: docsOf(`{"family":"f","containerDefinitions":[{"name":"app","image":"x","logConfiguration":{"logDriver":"splunk","options":{"mode":"BLOCKING"}}}]}`),
			want: map[string]expected{"app": {status: rule.Failed}}},
		{name: "explicit blocking even when the account default is non-blocking", settings: nonBlockingAccount,
			docs: docsOf(`{"family":"f","containerDefinitions":[{"name":"app","image":"x","logConfiguration":{"logDriver":"awslogs","options":{"mode":"blocking"}}}]}`),
			want: map[string]expected{"app": {status: rule.Failed}}},
		{name: "non-blocking", docs: docsOf(`{"family":"f","containerDefinitions":[{"name":"app","image":"x","logConfiguration":{"logDriver":"awslogs","options":{"mode":"non-blocking","max-buffer-size":"25m"}}}]}`),
			want: map[string]expected{"app": {status: rule.Passed}}},
		{name: "non-blocking even when the account default is blocking", settings: blockingAccount,
			docs: docsOf(`{"family":"f","containerDefinitions":[{"name":"app","image":"x","logConfiguration":{"logDriver":"awslogs","options":{"mode":"non-blocking"}}}]}`),
			want: map[string]expected{"app": {status: rule.Passed}}},
		{name: "absent mode, account setting unknown", docs: docsOf(absent), want: map[string]expected{"app": {status: rule.Passed}}},
		{name: "absent mode, account setting non-blocking", settings: nonBlockingAccount, docs: docsOf(absent),
			want: map[string]expected{"app": {status: rule.Passed}}},
		{name: "absent mode, account setting blocking", settings: blockingAccount, docs: docsOf(absent),
			want: map[string]expected{"app": {status: rule.Failed, path: "containerDefinitions/0/logConfiguration/options"}}},
		{name: "no options at all, account setting blocking", settings: blockingAccount,
			docs: docsOf(`{"family":"f","containerDefinitions":[{"name":"app","image":"x","logConfiguration":{"logDriver":"awsfirelens"}}]}`),
			want: map[string]expected{"app": {status: rule.Failed}}},
		{name: "no log driver", docs: docsOf(`{"family":"f","containerDefinitions":[{"name":"app","image":"x"},{"name":"b","image":"y","logConfiguration":{"options":{"mode":"blocking"}}}]}`),
			want: map[string]expected{"app": {status: rule.NotApplicable}, "b": {status: rule.NotApplicable}}},
	})
}
