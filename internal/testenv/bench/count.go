// Package bench measures the sweep against the AWS emulator: it seeds moto_server with an account of a chosen size,
// runs the sweeper three times in a child process (a full sweep, one with nothing changed, one after 1 % new
// revisions), counts the AWS calls by API, and measures each run's wall time and peak resident memory. `make
// bench-sweep` runs the full size, `make bench-sweep-small` and the sweep package's test the small one.
package bench

import (
	"context"
	"sort"
	"strings"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// Counter counts the AWS calls made through the clients it is registered on, per API ("ecs:DescribeTaskDefinition").
// It sits in the SDK's finalize step after the retry middleware, so each attempt counts. It is safe for concurrent
// use.
type Counter struct {
	mu    sync.Mutex
	calls map[string]int
}

// NewCounter returns a counter at zero.
func NewCounter() *Counter { return &Counter{calls: map[string]int{}} }

// Register adds the counter to an SDK middleware stack: append it to aws.Config.APIOptions.
func (c *Counter) Register(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("ecsauditCallCounter",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			api := strings.ToLower(strings.ReplaceAll(awsmiddleware.GetServiceID(ctx), " ", "")) + ":" + awsmiddleware.GetOperationName(ctx)
			c.mu.Lock()
			c.calls[api]++
			c.mu.Unlock()
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

// Counts returns a copy of the counts.
func (c *Counter) Counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.calls))
	for k, v := range c.calls {
		out[k] = v
	}
	return out
}

// Calls is a set of per-API counts.
type Calls map[string]int

// Sum adds the counts of the APIs whose names start with one of the prefixes.
func (c Calls) Sum(prefixes ...string) int {
	n := 0
	for api, v := range c {
		for _, p := range prefixes {
			if strings.HasPrefix(api, p) {
				n += v
				break
			}
		}
	}
	return n
}

// APIs returns the APIs in any of the sets, sorted.
func APIs(sets ...Calls) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range sets {
		for api := range s {
			if !seen[api] {
				seen[api] = true
				out = append(out, api)
			}
		}
	}
	sort.Strings(out)
	return out
}
