package sweep

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ecsaudit/ecsaudit/internal/event"
)

func TestLambdaContinuerInvokesItselfAsynchronously(t *testing.T) {
	var got *http.Request
	var body []byte
	status := http.StatusAccepted
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"Message":"x"}`))
	}))
	defer srv.Close()
	c := &LambdaContinuer{
		Config: aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL),
			Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")},
		Function: "ecsaudit-Sweeper", Account: "111122223333", Now: func() time.Time { return testNow },
	}
	if err := c.Continue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got.Method != http.MethodPost || got.URL.Path != "/2015-03-31/functions/ecsaudit-Sweeper/invocations" {
		t.Errorf("request %s %s", got.Method, got.URL.Path)
	}
	if got.Header.Get("X-Amz-Invocation-Type") != "Event" {
		t.Errorf("invocation type %q: the continuation must not wait for the next invocation", got.Header.Get("X-Amz-Invocation-Type"))
	}
	auth := got.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/eu-west-1/lambda/aws4_request") {
		t.Errorf("signature %q", auth)
	}
	actions, err := event.Parse(body)
	if err != nil || len(actions) != 1 || actions[0].Kind != event.Sweep || actions[0].Account != "111122223333" {
		t.Errorf("the continuation event must read as a sweep: %+v %v (%s)", actions, err, body)
	}
	status = http.StatusForbidden
	if err := c.Continue(context.Background()); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("a refused invocation is an error: %v", err)
	}
}
