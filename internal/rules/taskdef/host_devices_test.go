package taskdef

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestHostDevices(t *testing.T) {
	runResultCases(t, HostDevices, []resultCase{
		{name: "device", docs: docsOf(`{"family":"f","containerDefinitions":[
			{"name":"app","image":"x","linuxParameters":{"devices":[{"hostPath":"/dev/xvdb","containerPath":"/dev/disk","permissions":["read"]}]}},
			{"name":"plain","image":"y","linuxParameters":{"initProcessEnabled":true}},
			{"name":"empty","image":"y","linuxParameters":{"devices":[]}},
			{"name":"bare","image":"y"}]}`),
			want: map[string]expected{
				"app":   {status: rule.Failed, path: "containerDefinitions/0/linuxParameters/devices/0"},
				"plain": {status: rule.Passed}, "empty": {status: rule.Passed}, "bare": {status: rule.Passed},
			}},
	})
}
