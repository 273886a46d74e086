package sweep

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/source"
)

// DefaultMemberRole is the name of the role infra/member-role.yaml creates in each member account.
const DefaultMemberRole = "ecsaudit-member"

// Members are the other accounts of an organization that a sweep audits, each through a role assumed in it. Security
// Hub accepts a finding (with the default product ARN) only from the account it names, so each account's findings
// are imported with that account's own credentials: Sink builds the account's sink from the assumed-role
// configuration.
type Members struct {
	Accounts []string
	// RoleName is the role to assume in each account (default DefaultMemberRole).
	RoleName string
	// ExternalID is passed to AssumeRole when the role's trust policy requires one.
	ExternalID string
	// Base is the configuration the roles are assumed with (the sweeper's own).
	Base aws.Config
	// Sink returns the sink that publishes one account's findings, given that account's configuration.
	Sink func(account string, cfg aws.Config) (Sink, error)
}

// Targets returns one target per member account in the base configuration's region. Nothing is called yet: the
// role is assumed on the first call made with the account's clients, and renewed as its credentials expire.
func (m Members) Targets() ([]Target, error) {
	role := m.RoleName
	if role == "" {
		role = DefaultMemberRole
	}
	region := m.Base.Region
	partition := model.PartitionOf(region)
	var out []Target
	for _, account := range m.Accounts {
		account = strings.TrimSpace(account)
		if account == "" {
			continue
		}
		cfg := source.AssumeRole(m.Base, RoleARN(partition, account, role), m.ExternalID)
		t := Target{Account: account, Region: region, Partition: partition, Source: source.ForAccount(cfg, account)}
		if m.Sink != nil {
			sink, err := m.Sink(account, cfg)
			if err != nil {
				return nil, fmt.Errorf("member account %s: %w", account, err)
			}
			t.Sink = sink
		}
		out = append(out, t)
	}
	return out, nil
}

// RoleARN is the ARN of a role in an account.
func RoleARN(partition, account, role string) string {
	return "arn:" + partition + ":iam::" + account + ":role/" + role
}
