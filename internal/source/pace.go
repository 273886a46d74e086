package source

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsaudit/ecsaudit/internal/pace"
)

// Retry says how a paced call is retried: throttling, 5xx answers and broken connections (the SDK's own
// classification) are tried again up to MaxAttempts times in all, after a random delay of up to Base doubled on each
// attempt and capped at Cap ("full jitter", so that many callers throttled together do not come back together).
type Retry struct {
	MaxAttempts int
	Base, Cap   time.Duration
	// Sleep waits between attempts (default SleepContext).
	Sleep func(ctx context.Context, d time.Duration) error
	// OnRetry, when set, is told about each failed attempt that will be retried (for metrics and logs).
	OnRetry func(op string, err error)
}

// withDefaults fills what the zero value leaves open: six attempts, 250 ms doubling to 20 s.
func (r Retry) withDefaults() Retry {
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = 6
	}
	if r.Base <= 0 {
		r.Base = 250 * time.Millisecond
	}
	if r.Cap <= 0 {
		r.Cap = 20 * time.Second
	}
	if r.Sleep == nil {
		r.Sleep = pace.SleepContext
	}
	return r
}

// Retryable reports whether an AWS call that failed with err may succeed if tried again.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}

// paced makes one call under the pacer, retrying as r says. Every attempt takes a token: a retry is a call too.
func paced[T any](ctx context.Context, p *pace.Pacer, r Retry, op string, call func() (T, error)) (T, error) {
	r = r.withDefaults()
	for attempt := 1; ; attempt++ {
		if err := p.Wait(ctx); err != nil {
			var zero T
			return zero, err
		}
		out, err := call()
		if err == nil || attempt >= r.MaxAttempts || !Retryable(err) {
			return out, err
		}
		if r.OnRetry != nil {
			r.OnRetry(op, err)
		}
		backoff := min(r.Cap, r.Base<<(attempt-1))
		if backoff <= 0 {
			backoff = r.Cap
		}
		if serr := r.Sleep(ctx, time.Duration(rand.Float64()*float64(backoff))); serr != nil {
			return out, err
		}
	}
}

// The SDK's own retryer would make several HTTP calls for one paced call, outside the pace: paced calls turn it off
// and retry themselves.
func noECSRetry(o *ecs.Options) { o.Retryer = aws.NopRetryer{} }
func noECRRetry(o *ecr.Options) { o.Retryer = aws.NopRetryer{} }

// PacedECS is an ECSAPI whose calls share one Pacer and are retried by Retry. ECS counts DescribeTaskDefinition,
// ListTaskDefinitions and ListTaskDefinitionFamilies against one bucket per account and region (20 calls per second,
// burst 50, shared with everyone else in the account): give the pacer a share of that.
type PacedECS struct {
	API   ECSAPI
	Pacer *pace.Pacer
	Retry Retry
}

// DescribeTaskDefinition implements ECSAPI.
func (p *PacedECS) DescribeTaskDefinition(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, opts ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error) {
	return paced(ctx, p.Pacer, p.Retry, "ecs:DescribeTaskDefinition", func() (*ecs.DescribeTaskDefinitionOutput, error) {
		return p.API.DescribeTaskDefinition(ctx, in, append(opts, noECSRetry)...)
	})
}

// ListTaskDefinitions implements ECSAPI.
func (p *PacedECS) ListTaskDefinitions(ctx context.Context, in *ecs.ListTaskDefinitionsInput, opts ...func(*ecs.Options)) (*ecs.ListTaskDefinitionsOutput, error) {
	return paced(ctx, p.Pacer, p.Retry, "ecs:ListTaskDefinitions", func() (*ecs.ListTaskDefinitionsOutput, error) {
		return p.API.ListTaskDefinitions(ctx, in, append(opts, noECSRetry)...)
	})
}

// ListTaskDefinitionFamilies implements ECSAPI.
func (p *PacedECS) ListTaskDefinitionFamilies(ctx context.Context, in *ecs.ListTaskDefinitionFamiliesInput, opts ...func(*ecs.Options)) (*ecs.ListTaskDefinitionFamiliesOutput, error) {
	return paced(ctx, p.Pacer, p.Retry, "ecs:ListTaskDefinitionFamilies", func() (*ecs.ListTaskDefinitionFamiliesOutput, error) {
		return p.API.ListTaskDefinitionFamilies(ctx, in, append(opts, noECSRetry)...)
	})
}

// PacedECR is an ECRAPI whose calls share one Pacer and are retried by Retry. ECR publishes no rate for its
// read calls; the pacer keeps a sweep from crowding out the account's pushes and pulls.
type PacedECR struct {
	API   ECRAPI
	Pacer *pace.Pacer
	Retry Retry
}

// DescribeRepositories implements ECRAPI.
func (p *PacedECR) DescribeRepositories(ctx context.Context, in *ecr.DescribeRepositoriesInput, opts ...func(*ecr.Options)) (*ecr.DescribeRepositoriesOutput, error) {
	return paced(ctx, p.Pacer, p.Retry, "ecr:DescribeRepositories", func() (*ecr.DescribeRepositoriesOutput, error) {
		return p.API.DescribeRepositories(ctx, in, append(opts, noECRRetry)...)
	})
}

// DescribeImages implements ECRAPI.
func (p *PacedECR) DescribeImages(ctx context.Context, in *ecr.DescribeImagesInput, opts ...func(*ecr.Options)) (*ecr.DescribeImagesOutput, error) {
	return paced(ctx, p.Pacer, p.Retry, "ecr:DescribeImages", func() (*ecr.DescribeImagesOutput, error) {
		return p.API.DescribeImages(ctx, in, append(opts, noECRRetry)...)
	})
}

// DescribeImageScanFindings implements ECRAPI.
func (p *PacedECR) DescribeImageScanFindings(ctx context.Context, in *ecr.DescribeImageScanFindingsInput, opts ...func(*ecr.Options)) (*ecr.DescribeImageScanFindingsOutput, error) {
	return paced(ctx, p.Pacer, p.Retry, "ecr:DescribeImageScanFindings", func() (*ecr.DescribeImageScanFindingsOutput, error) {
		return p.API.DescribeImageScanFindings(ctx, in, append(opts, noECRRetry)...)
	})
}

// GetLifecyclePolicy implements ECRAPI.
func (p *PacedECR) GetLifecyclePolicy(ctx context.Context, in *ecr.GetLifecyclePolicyInput, opts ...func(*ecr.Options)) (*ecr.GetLifecyclePolicyOutput, error) {
	return paced(ctx, p.Pacer, p.Retry, "ecr:GetLifecyclePolicy", func() (*ecr.GetLifecyclePolicyOutput, error) {
		return p.API.GetLifecyclePolicy(ctx, in, append(opts, noECRRetry)...)
	})
}

// GetRepositoryPolicy implements ECRAPI.
func (p *PacedECR) GetRepositoryPolicy(ctx context.Context, in *ecr.GetRepositoryPolicyInput, opts ...func(*ecr.Options)) (*ecr.GetRepositoryPolicyOutput, error) {
	return paced(ctx, p.Pacer, p.Retry, "ecr:GetRepositoryPolicy", func() (*ecr.GetRepositoryPolicyOutput, error) {
		return p.API.GetRepositoryPolicy(ctx, in, append(opts, noECRRetry)...)
	})
}

// ListTagsForResource implements ECRAPI.
func (p *PacedECR) ListTagsForResource(ctx context.Context, in *ecr.ListTagsForResourceInput, opts ...func(*ecr.Options)) (*ecr.ListTagsForResourceOutput, error) {
	return paced(ctx, p.Pacer, p.Retry, "ecr:ListTagsForResource", func() (*ecr.ListTagsForResourceOutput, error) {
		return p.API.ListTagsForResource(ctx, in, append(opts, noECRRetry)...)
	})
}

// GetRegistryScanningConfiguration implements ECRAPI.
func (p *PacedECR) GetRegistryScanningConfiguration(ctx context.Context, in *ecr.GetRegistryScanningConfigurationInput, opts ...func(*ecr.Options)) (*ecr.GetRegistryScanningConfigurationOutput, error) {
	return paced(ctx, p.Pacer, p.Retry, "ecr:GetRegistryScanningConfiguration", func() (*ecr.GetRegistryScanningConfigurationOutput, error) {
		return p.API.GetRegistryScanningConfiguration(ctx, in, append(opts, noECRRetry)...)
	})
}
