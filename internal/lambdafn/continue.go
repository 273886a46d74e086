package lambdafn

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/ecsaudit/ecsaudit/internal/sweep"
)

// LambdaAPI is the part of the Lambda API the continuer calls.
type LambdaAPI interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// Continuer continues a sweep (sweep.Continuer) by invoking the sweeper function itself, asynchronously
// (InvocationType Event), with a scheduled event: the handler reads it as a sweep, and the sweep resumes from its
// checkpoint. The function needs lambda:InvokeFunction on its own ARN.
type Continuer struct {
	Lambda LambdaAPI
	// Function is the function's name or ARN (Lambda sets AWS_LAMBDA_FUNCTION_NAME).
	Function string
	// Account and Region are put in the event, as EventBridge would.
	Account, Region string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Continue implements sweep.Continuer.
func (c *Continuer) Continue(ctx context.Context) error {
	if c.Function == "" {
		return fmt.Errorf("invoke the sweeper: no function name")
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	out, err := c.Lambda.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(c.Function),
		InvocationType: types.InvocationTypeEvent,
		Payload:        sweep.ContinuationEvent(c.Account, c.Region, now()),
	})
	if err != nil {
		return fmt.Errorf("invoke %s: %w", c.Function, err)
	}
	if out.StatusCode != http.StatusAccepted {
		return fmt.Errorf("invoke %s: HTTP %d", c.Function, out.StatusCode)
	}
	return nil
}
