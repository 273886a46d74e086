package emulator

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestThrottleLimitsPerCallerAndFailsOnRequest(t *testing.T) {
	forwarded := 0
	th := NewThrottle(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		forwarded++
		body, _ := io.ReadAll(r.Body)
		_, _ = w.Write(body)
	}))
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	th.Now = func() time.Time { return now }
	th.Limit(2, 3, "ecs:DescribeTaskDefinition")
	call := func(key, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition")
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+key+"/20261122/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=x")
		w := httptest.NewRecorder()
		th.ServeHTTP(w, r)
		return w
	}
	for i := range 3 {
		if w := call("A", `{"taskDefinition":"web:1"}`); w.Code != http.StatusOK || w.Body.String() != `{"taskDefinition":"web:1"}` {
			t.Fatalf("call %d within the burst: %d %s", i, w.Code, w.Body.String())
		}
	}
	w := call("A", "{}")
	if w.Code != http.StatusBadRequest || w.Header().Get("X-Amzn-ErrorType") != "ThrottlingException" {
		t.Errorf("over the burst: %d %v", w.Code, w.Header())
	}
	if w := call("B", "{}"); w.Code != http.StatusOK {
		t.Errorf("another caller has its own bucket: %d", w.Code)
	}
	now = now.Add(500 * time.Millisecond)
	if w := call("A", "{}"); w.Code != http.StatusOK {
		t.Errorf("half a second at 2/s refills one token: %d", w.Code)
	}
	th.Fail("ecs:DescribeTaskDefinition", "web:9", "ServerException", 1)
	now = now.Add(time.Hour)
	if w := call("A", `{"taskDefinition":"web:9"}`); w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), "ServerException") {
		t.Errorf("planned failure: %d %s", w.Code, w.Body.String())
	}
	if w := call("A", `{"taskDefinition":"web:9"}`); w.Code != http.StatusOK {
		t.Errorf("the failure was planned once: %d", w.Code)
	}
	if th.Calls("ecs:DescribeTaskDefinition") != 8 || th.Throttled("ecs:DescribeTaskDefinition") != 1 || forwarded != 6 {
		t.Errorf("calls %d, throttled %d, forwarded %d", th.Calls("ecs:DescribeTaskDefinition"), th.Throttled("ecs:DescribeTaskDefinition"), forwarded)
	}
}
