package load

import (
	"fmt"
	"strings"
	"testing"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// TestCheckMessage keeps the text of an unknown-value error what fmt gave before check built it by hand.
func TestCheckMessage(t *testing.T) {
	known := ecstypes.LogDriver("").Values()
	err := check(ecstypes.LogDriver("sys\"log"), known, indexed("containerDefinitions", 2, ".logConfiguration.logDriver"))
	want := fmt.Sprintf("%s: unknown value %q (want one of %v)", "containerDefinitions[2].logConfiguration.logDriver", "sys\"log", known)
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	if err := check(ecstypes.LogDriver(""), known, name("x")); err != nil {
		t.Fatalf("an absent value is not unknown: %v", err)
	}
	if err := check(ecstypes.LogDriverAwslogs, known, name("x")); err != nil {
		t.Fatalf("a known value: %v", err)
	}
	td := &ecstypes.TaskDefinition{ContainerDefinitions: []ecstypes.ContainerDefinition{{}, {PortMappings: []ecstypes.PortMapping{{}, {Protocol: "sctp"}}}}}
	got := validateTask(td)
	if len(got) != 1 || strings.Join(got[0].path, "/") != "containerDefinitions/1/portMappings/1/protocol" ||
		got[0].msg != `unknown value "sctp" (want one of [tcp udp])` {
		t.Fatalf("validateTask: %+v", got)
	}
}
