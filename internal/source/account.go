package source

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// ForAccount returns a source reading one account through cfg: ECS, ECR in every region images live in, KMS, and
// Elastic Load Balancing.
func ForAccount(cfg aws.Config, account string) *Source {
	ecsClient := ecs.NewFromConfig(cfg)
	src := New(account, cfg.Region, ecsClient, ecr.NewFromConfig(cfg), kms.NewFromConfig(cfg))
	src.Estate = ecsClient
	src.ELB = elasticloadbalancingv2.NewFromConfig(cfg)
	src.ECRIn = func(region string) ECRAPI {
		return ecr.NewFromConfig(cfg, func(o *ecr.Options) { o.Region = region })
	}
	return src
}

// AssumeRole returns base with the credentials of roleARN, assumed with base's own credentials and cached until
// they near expiry. Nothing is called yet: the role is assumed on the first call made with the configuration.
func AssumeRole(base aws.Config, roleARN, externalID string) aws.Config {
	cfg := base.Copy()
	p := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "ecsaudit-sweep"
		if externalID != "" {
			o.ExternalID = aws.String(externalID)
		}
	})
	cfg.Credentials = aws.NewCredentialsCache(p)
	return cfg
}
