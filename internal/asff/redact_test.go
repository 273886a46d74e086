package asff

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func TestResourceDetailsRedactCredentials(t *testing.T) {
	td := &ecstypes.TaskDefinition{
		Family: aws.String("web"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name:         aws.String("app"),
			Environment:  []ecstypes.KeyValuePair{{Name: aws.String("redis://:PlantedPw1@cache"), Value: aws.String("x")}},
			Secrets:      []ecstypes.Secret{{Name: aws.String("AKIAPLANTED000000001"), ValueFrom: aws.String("arn:aws:ssm:us-east-1:111122223333:parameter/p")}},
			DockerLabels: map[string]string{"label": "PlantedLabel"},
			Command:      []string{"--password=PlantedArg"},
		}},
	}
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(taskDetails(td))
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, leak := range []string{"PlantedPw1", "AKIAPLANTED", "PlantedLabel", "PlantedArg"} {
		if strings.Contains(out, leak) {
			t.Errorf("details hold %q: %s", leak, out)
		}
	}
	if !strings.Contains(out, "<redacted: looks like a password URL>") {
		t.Errorf("details lack the marker: %s", out)
	}
	tg := tags(map[string]string{"db-password": "PlantedTagValue", "team": "payments"})
	if tg["db-password"] != "<redacted: looks like a credential>" || tg["team"] != "payments" {
		t.Errorf("tags = %v", tg)
	}
}
