package sweep

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// LambdaContinuer continues a sweep by invoking the sweeper function itself, asynchronously (InvocationType Event),
// with a scheduled event: the handler reads it as a sweep, and the sweep resumes from its checkpoint. The function
// needs lambda:InvokeFunction on its own ARN.
//
// It calls Lambda's Invoke API over HTTPS with a SigV4 signature rather than through the SDK's Lambda client, which
// this module does not depend on: one POST with a JSON body.
type LambdaContinuer struct {
	// Config gives the credentials, the region and, when set, the endpoint (BaseEndpoint).
	Config aws.Config
	// Function is the function's name or ARN (Lambda sets AWS_LAMBDA_FUNCTION_NAME).
	Function string
	// Account is put in the event, as EventBridge would.
	Account string
	// HTTP is the client (default: one with a 30 s timeout).
	HTTP *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// ContinuationSource is the source of the events a sweeper sends itself.
const ContinuationSource = "ecsaudit.sweep"

// ContinuationEvent is the event a sweep sends to continue itself: an EventBridge scheduled event, which the
// handler turns into a sweep action like the schedule's own.
func ContinuationEvent(account, region string, now time.Time) []byte {
	h := newOwner() + newOwner()
	ev := map[string]any{
		"version":     "0",
		"id":          h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:],
		"detail-type": "Scheduled Event",
		"source":      ContinuationSource,
		"account":     account,
		"time":        now.UTC().Format(time.RFC3339),
		"region":      region,
		"resources":   []string{},
		"detail":      map[string]any{"continuation": true},
	}
	// A map of strings, slices and a bool always encodes.
	data, _ := json.Marshal(ev)
	return data
}

// Continue implements Continuer.
func (c *LambdaContinuer) Continue(ctx context.Context) error {
	if c.Function == "" {
		return fmt.Errorf("invoke the sweeper: no function name")
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	client := c.HTTP
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	region := c.Config.Region
	endpoint := aws.ToString(c.Config.BaseEndpoint)
	if endpoint == "" {
		suffix := "amazonaws.com"
		if model.PartitionOf(region) == "aws-cn" {
			suffix = "amazonaws.com.cn"
		}
		endpoint = "https://lambda." + region + "." + suffix
	}
	body := ContinuationEvent(c.Account, region, now())
	u := strings.TrimSuffix(endpoint, "/") + "/2015-03-31/functions/" + url.PathEscape(c.Function) + "/invocations"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("invoke %s: %w", c.Function, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Invocation-Type", "Event")
	if c.Config.Credentials == nil {
		return fmt.Errorf("invoke %s: no credentials", c.Function)
	}
	creds, err := c.Config.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("invoke %s: credentials: %w", c.Function, err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "lambda", region, now()); err != nil {
		return fmt.Errorf("invoke %s: sign: %w", c.Function, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("invoke %s: %w", c.Function, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("invoke %s: HTTP %d: %s", c.Function, resp.StatusCode, strings.TrimSpace(string(msg)))
	}
	return nil
}
