// Command echo is a tiny Lambda for testing the in-test Runtime API: it answers with its payload, and a few payloads
// make it fail, panic, allocate memory or report what the runtime told it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type request struct {
	Fail     bool `json:"fail"`
	Panic    bool `json:"panic"`
	Context  bool `json:"context"`
	Allocate int  `json:"allocateMB"`
}

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	// A configuration error stops the function before its first invocation, reported the way Lambda expects.
	if v := os.Getenv("ECHO_MODE"); v != "" && v != "normal" {
		initError("Runtime.InvalidConfig", "ECHO_MODE: want normal, got "+v)
		os.Exit(1)
	}
	logger.Info("init", "function", lambdacontext.FunctionName)
	lambda.Start(func(ctx context.Context, payload json.RawMessage) (json.RawMessage, error) {
		lc, _ := lambdacontext.FromContext(ctx)
		var req request
		_ = json.Unmarshal(payload, &req) // any payload is echoed; only these fields change the behaviour
		logger.Info("invoke", "requestId", lc.AwsRequestID, "bytes", len(payload))
		switch {
		case req.Fail:
			return nil, errors.New("asked to fail")
		case req.Panic:
			panic("asked to panic")
		case req.Context:
			deadline, _ := ctx.Deadline()
			return json.Marshal(map[string]any{"requestId": lc.AwsRequestID, "functionArn": lc.InvokedFunctionArn,
				"deadlineMs": deadline.UnixMilli()})
		case req.Allocate > 0:
			buf := make([]byte, req.Allocate<<20)
			for i := range buf {
				buf[i] = byte(i)
			}
			return json.Marshal(map[string]int{"allocatedMB": req.Allocate, "last": int(buf[len(buf)-1])})
		}
		return payload, nil
	})
}

func initError(errorType, message string) {
	body, _ := json.Marshal(map[string]string{"errorType": errorType, "errorMessage": message})
	url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	if err != nil {
		return
	}
	req.Header.Set("Lambda-Runtime-Function-Error-Type", errorType)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}
