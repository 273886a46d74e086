package event

import (
	"strings"
	"testing"
)

// TestEstateCallErrors: a call that changes an estate resource but whose record does not name it is an error naming
// the field, never an action on an empty ARN.
func TestEstateCallErrors(t *testing.T) {
	for _, tt := range []struct{ name, response, want string }{
		{"no response", `null`, "detail.responseElements.service: missing"},
		{"no ARN", `{"service": {"serviceName": "web"}}`, "detail.responseElements.service.serviceArn: missing"},
		{"ARN of another kind", `{"service": {"serviceArn": "arn:aws:ecs:us-east-1:111122223333:cluster/prod"}}`, "is not the ARN of a service"},
		{"wrong type", `{"service": {"serviceArn": 7}}`, "detail.responseElements.service.serviceArn: got a JSON number"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			raw := `{"id": "e1", "detail-type": "AWS API Call via CloudTrail", "source": "aws.ecs", "account": "111122223333",
				"region": "us-east-1", "time": "2026-11-22T10:00:00Z", "detail": {"eventSource": "ecs.amazonaws.com",
				"eventName": "CreateService", "responseElements": ` + tt.response + `}}`
			acts, err := Parse([]byte(raw))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), `event "e1"`) {
				t.Fatalf("Parse = %+v, %v; want an error naming %q", acts, err, tt.want)
			}
		})
	}
}
