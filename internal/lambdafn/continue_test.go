package lambdafn

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/ecsaudit/ecsaudit/internal/event"
)

func TestContinuerInvokesItselfAsynchronously(t *testing.T) {
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
	cfg := aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")}
	c := &Continuer{
		Lambda:   lambda.NewFromConfig(cfg),
		Function: "ecsaudit-Sweeper", Account: "111122223333", Region: "eu-west-1",
		Now: func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC) },
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
	if !regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\d{8}/eu-west-1/lambda/aws4_request`).MatchString(auth) {
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
